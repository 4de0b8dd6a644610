/**
 * Picture order count (H.264 §8.2.1) for pic_order_cnt_type 0, 1 and 2, computed once per picture
 * in decode order. Frames are exact; field pairs get each field's own count (the caller groups them).
 */
import type { SliceHeader } from './slice-header.js';
import type { SpsInfo } from './sps.js';

/**
 * Keeps the "previous picture" state §8.2.1 needs between pictures of one stream.
 *
 * @example
 * ```ts
 * const poc = new PocCalculator();
 * const value = poc.compute(header, sps, header.nalType === NalType.Idr, header.memoryManagement5);
 * ```
 */
export class PocCalculator {
  // Type 0 (§8.2.1.1): of the previous reference picture.
  private prevPocMsb = 0;
  private prevPocLsb = 0;
  // Types 1 and 2 (§8.2.1.2, §8.2.1.3): of the previous picture.
  private prevFrameNumOffset = 0;
  private prevFrameNum = 0;
  // The current picture's PicOrderCntMsb / FrameNumOffset, kept until the state update.
  private lastPocMsb = 0;
  private lastFrameNumOffset = 0;

  /**
   * Computes PicOrderCnt of one picture (§8.2.1: Min(TopFieldOrderCnt, BottomFieldOrderCnt) for a
   * frame, the field's own count for a field) and updates the state for the next picture. Call it
   * once per picture (with its first slice), in decode order.
   *
   * After MMCO 5 the picture's counts are rebased so that its smaller one is 0 (§8.2.1, "tempPicOrderCnt"):
   * the returned value is the rebased one, which orders it before everything that follows.
   *
   * @param slice - the picture's (first) slice header
   * @param sps - the SPS the slice refers to
   * @param isIdr - IdrPicFlag (nal_unit_type 5)
   * @param memoryManagement5 - the picture's dec_ref_pic_marking() holds MMCO 5
   * @defaultValue memoryManagement5 = false
   * @returns PicOrderCnt
   */
  compute(slice: SliceHeader, sps: SpsInfo, isIdr: boolean, memoryManagement5 = false): number {
    let top: number;
    let bottom: number;
    if (sps.picOrderCntType === 0) [top, bottom] = this.type0(slice, sps, isIdr);
    else [top, bottom] = this.type1or2(slice, sps, isIdr);

    const isFrame = !slice.fieldPic;
    if (memoryManagement5) {
      // §8.2.1: after MMCO 5, tempPicOrderCnt = PicOrderCnt(CurrPic); both counts drop by it.
      const temp = isFrame ? Math.min(top, bottom) : slice.bottomField ? bottom : top;
      top -= temp;
      bottom -= temp;
    }
    if (sps.picOrderCntType === 0) {
      if (slice.nalRefIdc !== 0) {
        if (memoryManagement5) {
          // §8.2.1.1: prevPicOrderCntMsb = 0, prevPicOrderCntLsb = rebased TopFieldOrderCnt (0 for a bottom field).
          this.prevPocMsb = 0;
          this.prevPocLsb = slice.fieldPic && slice.bottomField ? 0 : top;
        } else {
          this.prevPocMsb = this.lastPocMsb;
          this.prevPocLsb = slice.pocLsb;
        }
      }
    } else {
      // §8.2.1.2/3: after MMCO 5 prevFrameNumOffset = 0 and the picture counts as frame_num 0 (§7.4.3).
      this.prevFrameNumOffset = memoryManagement5 ? 0 : this.lastFrameNumOffset;
      this.prevFrameNum = memoryManagement5 ? 0 : slice.frameNum;
    }
    if (isFrame) return Math.min(top, bottom);
    return slice.bottomField ? bottom : top;
  }

  /** Forgets all state (a new stream, or after a splice). */
  reset(): void {
    this.prevPocMsb = 0;
    this.prevPocLsb = 0;
    this.prevFrameNumOffset = 0;
    this.prevFrameNum = 0;
    this.lastPocMsb = 0;
    this.lastFrameNumOffset = 0;
  }

  /** §8.2.1.1: [TopFieldOrderCnt, BottomFieldOrderCnt] for pic_order_cnt_type 0. */
  private type0(slice: SliceHeader, sps: SpsInfo, isIdr: boolean): [number, number] {
    if (isIdr) {
      this.prevPocMsb = 0;
      this.prevPocLsb = 0;
    }
    const maxLsb = 2 ** sps.log2MaxPocLsb;
    const lsb = slice.pocLsb;
    let msb: number;
    // Equation 8-3: the lsb wrapped forwards or backwards by more than half its range.
    if (lsb < this.prevPocLsb && this.prevPocLsb - lsb >= maxLsb / 2) msb = this.prevPocMsb + maxLsb;
    else if (lsb > this.prevPocLsb && lsb - this.prevPocLsb > maxLsb / 2) msb = this.prevPocMsb - maxLsb;
    else msb = this.prevPocMsb;
    this.lastPocMsb = msb;
    if (!slice.fieldPic) {
      const top = msb + lsb;
      return [top, top + slice.deltaPocBottom];
    }
    const value = msb + lsb;
    return [value, value];
  }

  /** §8.2.1.2 (type 1) and §8.2.1.3 (type 2): [TopFieldOrderCnt, BottomFieldOrderCnt]. */
  private type1or2(slice: SliceHeader, sps: SpsInfo, isIdr: boolean): [number, number] {
    const maxFrameNum = 2 ** sps.log2MaxFrameNum;
    let frameNumOffset: number;
    if (isIdr) frameNumOffset = 0;
    else if (this.prevFrameNum > slice.frameNum) frameNumOffset = this.prevFrameNumOffset + maxFrameNum;
    else frameNumOffset = this.prevFrameNumOffset;
    this.lastFrameNumOffset = frameNumOffset;
    const isRef = slice.nalRefIdc !== 0;

    if (sps.picOrderCntType === 2) {
      // Equation 8-12: output order equals decode order.
      let temp = 0;
      if (!isIdr) temp = isRef ? 2 * (frameNumOffset + slice.frameNum) : 2 * (frameNumOffset + slice.frameNum) - 1;
      return [temp, temp];
    }

    const cycle = sps.offsetsForRefFrame;
    let absFrameNum = cycle.length !== 0 ? frameNumOffset + slice.frameNum : 0;
    if (!isRef && absFrameNum > 0) absFrameNum--;
    let expected = 0;
    if (absFrameNum > 0) {
      let expectedDeltaPerCycle = 0;
      for (const offset of cycle) expectedDeltaPerCycle += offset;
      const cycleCnt = Math.floor((absFrameNum - 1) / cycle.length);
      const frameNumInCycle = (absFrameNum - 1) % cycle.length;
      expected = cycleCnt * expectedDeltaPerCycle;
      for (let i = 0; i <= frameNumInCycle; i++) expected += cycle[i];
    }
    if (!isRef) expected += sps.offsetForNonRefPic;
    if (!slice.fieldPic) {
      const top = expected + slice.deltaPoc0;
      return [top, top + sps.offsetForTopToBottomField + slice.deltaPoc1];
    }
    if (!slice.bottomField) {
      const top = expected + slice.deltaPoc0;
      return [top, top];
    }
    const bottom = expected + sps.offsetForTopToBottomField + slice.deltaPoc0;
    return [bottom, bottom];
  }
}
