/**
 * Puts each ADTS frame of an audio pack into the segment its PTS falls in (issue 11 §2): frames before
 * a pending cut close the segment before it; frames ahead of the video that may follow the next cut
 * are held (copied, the caller reuses its buffers) until the video passes them. Consecutive frames
 * bound for the same place are written as one PES. HlsStream owns the cut; this owns the audio side.
 */
import { ChunkList, sliceChunks } from '../mpegts/chunk-list.js';
import { AAC_FRAME_SAMPLES, type AudioAssembler } from './audio-assembler.js';
import { FrameHold } from './frame-hold.js';

/** Bytes of audio held ahead of a possible cut; under one PES payload so a held run always fits one PES. */
const AUDIO_HOLD_BYTES = 60_000;

/** What the audio side needs from the segmenter. */
export interface AudioCutHost {
  /** PTS of the pending cut's IDR (video held until audio reaches it), or -1 when none is pending. */
  pendingCutPts(): number;
  /** Closes the segment before the pending cut and writes the held video. */
  releaseCut(): void;
  /** True when a frame at `pts` is ahead of the video and may belong after the next cut. */
  mayFollowCut(pts: number): boolean;
  /**
   * Writes one audio PES into the open segment.
   * @param packs - packs whose first frame it holds (a pack is counted in the segment of its first frame)
   * @returns false when there is no open segment or no room
   */
  writePes(payload: ChunkList, pts: number, packs: number): boolean;
  /** Held frames that could not be written: count `packs` packs dropped and report `frames` frames. */
  heldLost(frames: number, packs: number): void;
}

/** The audio side of one stream's segment cuts. */
export class AudioCut {
  /** Audio frames held ahead of the video. */
  readonly held = new FrameHold(AUDIO_HOLD_BYTES);
  /** End PTS of the last audio frame taken in this timeline (written or held), -1 before any. */
  end = -1;
  readonly #slice = new ChunkList();

  /**
   * Places the frames of the pack `audio` just assembled.
   * @param audio - the assembler holding the pack (payload, frame ends, sample rate)
   * @param basePts - the pack's PTS (its first frame's)
   * @param host - the segmenter
   * @returns false when the pack's first frame could not be written (the pack counts as dropped)
   */
  place(audio: AudioAssembler, sampleRate: number, basePts: number, host: AudioCutHost): boolean {
    const ends = audio.frameEnds;
    const frames = audio.frameCount;
    const frameTicks = (AAC_FRAME_SAMPLES * 90_000) / sampleRate;
    let firstOk = true;
    let run = 0; // first frame of the run written as one PES
    for (let i = 0; i <= frames; i++) {
      const pts = basePts + Math.round(i * frameTicks);
      let hold = false;
      if (i < frames) {
        const cut = host.pendingCutPts();
        if (cut >= 0 && pts >= cut) {
          // Audio reached the pending cut: the previous segment is complete.
          if (i > run && !this.#writeRun(audio, run, i, basePts + Math.round(run * frameTicks), host) && run === 0) firstOk = false;
          run = i;
          host.releaseCut();
        }
        hold = host.pendingCutPts() < 0 && (this.held.count > 0 || host.mayFollowCut(pts));
        this.end = Math.max(this.end, pts + Math.round(frameTicks));
      }
      if (i === frames || hold) {
        if (i > run && !this.#writeRun(audio, run, i, basePts + Math.round(run * frameTicks), host) && run === 0) firstOk = false;
        run = i + 1;
        if (hold && !this.held.add(audio.payload, i === 0 ? 0 : ends[i - 1], ends[i], pts, pts, i === 0)) {
          this.release(Infinity, host); // full (video stalled): write what is held, then this frame, in order
          run = i;
        }
      }
    }
    return firstOk;
  }

  /** Writes held frames with PTS below `limit` as one PES (reported to the host when they cannot be). */
  release(limit: number, host: AudioCutHost): void {
    const held = this.held;
    let n = 0;
    let packs = 0;
    for (; n < held.count && held.at(n).pts < limit; n++) if (held.at(n).idr) packs++;
    if (n === 0) return;
    const pts = held.first.pts;
    if (!host.writePes(held.take(n), pts, packs)) host.heldLost(n, packs);
  }

  /** True when the audio taken so far ends before `cutPts`, no more than `maxWaitTicks` before it. */
  lags(cutPts: number, maxWaitTicks: number): boolean {
    return this.end >= 0 && this.end + 1 < cutPts && cutPts - this.end <= maxWaitTicks && maxWaitTicks > 0;
  }

  #writeRun(audio: AudioAssembler, from: number, to: number, pts: number, host: AudioCutHost): boolean {
    const ends = audio.frameEnds;
    sliceChunks(audio.payload, from === 0 ? 0 : ends[from - 1], ends[to - 1], this.#slice);
    return host.writePes(this.#slice, pts, from === 0 ? 1 : 0);
  }
}
