/**
 * Tells a pool that is too small for its stream from one that is merely full.
 *
 * A full pool while segments wait for upload is backpressure (files wait, live streams drop whole
 * GOPs until uploads catch up). A full pool holding *no* finished segment means the segment being
 * written alone outgrew it: its GOP (or one frame) is larger than the pool, no upload speed can fix
 * that, and every following GOP of the same size will be dropped too. That is reported once, with
 * the pool size, so the CLI can stop with a message naming the size needed instead of dropping
 * frames forever (issue 10 §2).
 */
import { ErrorCode } from '../errors.js';
import type { DropEvent, HlsStream } from '../stream/hls-stream.js';

/** The pool cannot hold one segment of its stream. */
export interface PoolTooSmallEvent {
  /** The camera (stream id). */
  readonly streamId: string;
  /** The pool's usable size, bytes. */
  readonly capacityBytes: number;
  /** `POOL_FULL` (a GOP outgrew the pool) or `FRAME_TOO_LARGE` (one frame did). */
  readonly code: string;
  /** One sentence: what happened and the size to ask for. */
  readonly message: string;
}

/**
 * Watches a stream's drops and calls `onTooSmall` once when the pool proves too small for it.
 * @param stream - the camera's stream
 * @param onTooSmall - called at most once
 */
export function guardPoolSize(stream: HlsStream, onTooSmall: (e: PoolTooSmallEvent) => void): void {
  let reported = false;
  const onDrop = (d: DropEvent): void => {
    if (reported || d.kind !== 'video') return;
    const pool = stream.stats().pool;
    const tooLarge = d.code === ErrorCode.FrameTooLarge;
    // heldSegments 0: nothing is waiting for upload, the open segment alone filled the pool.
    if (!tooLarge && !(d.code === ErrorCode.PoolFull && pool.heldSegments === 0)) return;
    reported = true;
    stream.off('drop', onDrop);
    const mib = Math.round(pool.capacityBytes / 1048576);
    const message = tooLarge
      ? `a single frame is larger than the ${mib} MiB pool: use a pool of at least ${2 * mib + 1} MiB`
      : `the segment being written outgrew the ${mib} MiB pool with no segment waiting for upload (its GOP, or the GOPs ` +
        `of one segment, do not fit): use a pool of at least ${3 * mib} MiB, or set the bitrate hint, or shorten the keyframe interval or the segments`;
    onTooSmall({ streamId: stream.streamId, capacityBytes: pool.capacityBytes, code: d.code, message });
  };
  stream.on('drop', onDrop);
}
