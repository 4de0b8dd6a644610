/**
 * Measures the first GOP of a raw H.264 (Annex B) file before it is muxed, so its pool can be sized
 * from what the stream needs (see pool-sizing.ts). Reads the file in 1 MiB chunks, stopping at the
 * second IDR frame or after `limitBytes`; nothing is kept but counters.
 *
 * A frame starts at a slice NAL unit (type 1 or 5) whose first_mb_in_slice is 0: ue(v) 0 is the
 * single bit `1`, so the byte after the NAL header has its top bit set (H.264 §7.3.3). A GOP runs from
 * the first IDR frame to the next one; SPS/PPS/SEI in front of the next IDR are counted in the GOP
 * before it (a few dozen bytes).
 */
import { openSync, readSync, closeSync } from 'node:fs';

/** What {@link scanFirstGop} found. */
export interface FirstGop {
  /** Bytes from the first IDR frame to the next IDR frame (or to the end of what was read). */
  readonly gopBytes: number;
  /** Frames in that GOP. */
  readonly gopFrames: number;
  /** True when no second IDR was found: the GOP runs to the end of the file (or past `limitBytes`). */
  readonly open: boolean;
  /** True when the scan stopped at `limitBytes` with the GOP still open. */
  readonly truncated: boolean;
}

const NAL_SLICE = 1;
const NAL_IDR = 5;
const CHUNK = 1024 * 1024;

/**
 * Scans an Annex B file for its first GOP.
 * @param path - the file
 * @param limitBytes - read at most this many bytes
 * @returns the GOP's size and frame count, or undefined when the file holds no IDR frame
 * @throws the fs error when the file cannot be read
 */
export function scanFirstGop(path: string, limitBytes: number): FirstGop | undefined {
  const fd = openSync(path, 'r');
  try {
    return scan(fd, limitBytes);
  } finally {
    closeSync(fd);
  }
}

function scan(fd: number, limitBytes: number): FirstGop | undefined {
  const buf = Buffer.alloc(CHUNK + 4);
  let carry = 0; // bytes kept from the previous chunk so a start code across chunks is seen
  let base = 0; // file offset of buf[0]
  let firstIdr = -1;
  let frames = 0;
  for (;;) {
    const want = Math.min(CHUNK, limitBytes - (base + carry));
    const n = want > 0 ? readSync(fd, buf, carry, want, base + carry) : 0;
    const end = carry + n;
    // Start codes whose NAL header and next byte are both in the buffer.
    let i = buf.indexOf(START, 0);
    while (i >= 0 && i + 4 < end) {
      const type = buf[i + 3] & 0x1f;
      const firstMb = (buf[i + 4] & 0x80) !== 0;
      if ((type === NAL_SLICE || type === NAL_IDR) && firstMb) {
        if (type === NAL_IDR && firstIdr >= 0 && frames > 0) {
          return { gopBytes: base + i - firstIdr, gopFrames: frames, open: false, truncated: false };
        }
        if (type === NAL_IDR && firstIdr < 0) firstIdr = base + i;
        if (firstIdr >= 0) frames++;
      }
      i = buf.indexOf(START, i + 3);
    }
    if (n === 0) {
      if (firstIdr < 0) return undefined;
      const total = base + end;
      return { gopBytes: total - firstIdr, gopFrames: frames, open: true, truncated: total >= limitBytes };
    }
    // Keep the last 4 bytes: a start code and its two following bytes may straddle the chunks.
    const keep = Math.min(4, end);
    buf.copy(buf, 0, end - keep, end);
    base += end - keep;
    carry = keep;
  }
}

const START = Buffer.from([0, 0, 1]);
