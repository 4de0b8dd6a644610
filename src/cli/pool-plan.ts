/**
 * Each camera's pool size for `s3hls upload` (the rule is in src/pool/pool-sizing.ts):
 * - a raw H.264 file: its first GOP is measured before anything is muxed;
 * - `--bitrate` given: bitrate × segment length;
 * - otherwise (ffmpeg inputs, stdin, live cameras): the 4 MiB default, watched at run time by the
 *   pipeline's pool guard.
 * `--pool-size SIZE` is used as given, but a file whose first GOP cannot fit in it is refused up
 * front (exit 3) with the size it needs, instead of muxing nothing and dropping every frame.
 */
import { statSync } from 'node:fs';
import { scanFirstGop } from '../pool/first-gop-scan.js';
import { formatPoolSize, MAX_AUTO_POOL_BYTES, poolBytesFor, segmentBytesFromBitrate, segmentBytesFromGop, TS_OVERHEAD_FACTOR } from '../pool/pool-sizing.js';
import { CliExit, ExitCode } from './exit-codes.js';
import type { PlannedCamera } from './upload-options.js';

/** A camera's pool size and, when it was not the default, the line saying why. */
export interface PoolPlan {
  readonly poolBytes: number;
  /** A progress line explaining an automatic size above the default, or undefined. */
  readonly note: string | undefined;
}

/** Largest explicit pool (as `--pool-size` allows). */
const MAX_POOL_BYTES = 2 ** 30;

/**
 * Decides a camera's pool size.
 * @param cam - the planned camera
 * @returns the size and an optional note
 * @throws CliExit (exit 3) when the input's first GOP cannot fit in the given or largest pool
 */
export function planPool(cam: PlannedCamera): PoolPlan {
  const measured = measureFile(cam);
  const segmentBytes = measured?.segmentBytes ?? (cam.bitrateBps !== undefined ? segmentBytesFromBitrate(cam.bitrateBps, cam.segmentSeconds) : undefined);
  if (segmentBytes === undefined) return { poolBytes: cam.poolBytes, note: undefined };
  const decision = poolBytesFor({ segmentBytes });
  const what = measured
    ? `${cam.input}'s first GOP (${mb(measured.gopBytes)} over ${measured.gopSeconds.toFixed(1)} s${measured.open ? ', no second keyframe' : ''})`
    : `--bitrate ${cam.bitrateBps} bit/s × ${cam.segmentSeconds} s segments`;
  if (!cam.poolAuto) {
    // An explicit size is respected, unless a measured GOP cannot fit at all.
    if (measured && measured.gopBytes * TS_OVERHEAD_FACTOR > cam.poolBytes) {
      throw new CliExit(
        ExitCode.BadInput,
        `camera ${cam.id}: ${what} needs a pool of at least ${formatPoolSize(decision.minimumBytes)}, --pool-size is ${formatPoolSize(cam.poolBytes)}: use --pool-size ${formatPoolSize(Math.min(MAX_POOL_BYTES, decision.poolBytes))} or leave it out (automatic)`,
      );
    }
    return { poolBytes: cam.poolBytes, note: undefined };
  }
  if (decision.exceedsCap) {
    throw new CliExit(
      ExitCode.BadInput,
      `camera ${cam.id}: ${what} needs a pool of at least ${formatPoolSize(decision.minimumBytes)}, more than the automatic limit of ${formatPoolSize(MAX_AUTO_POOL_BYTES)}: pass --pool-size ${formatPoolSize(Math.min(MAX_POOL_BYTES, decision.minimumBytes * 2))} explicitly, or re-encode with a keyframe every few seconds`,
    );
  }
  if (decision.poolBytes <= cam.poolBytes) return { poolBytes: cam.poolBytes, note: undefined };
  return { poolBytes: decision.poolBytes, note: `camera ${cam.id}: pool ${formatPoolSize(decision.poolBytes)} (automatic, from ${what})` };
}

interface Measured {
  readonly gopBytes: number;
  readonly gopSeconds: number;
  readonly open: boolean;
  readonly segmentBytes: number;
}

/** The first GOP of a raw H.264 file with a known frame rate; undefined for anything else. */
function measureFile(cam: PlannedCamera): Measured | undefined {
  if (cam.kind !== 'annexb' || cam.input === '-' || cam.fpsRate === undefined) return undefined;
  try {
    if (!statSync(cam.input).isFile()) return undefined;
  } catch {
    return undefined; // the source reports a missing file with its own message
  }
  // Reading past what the largest pool could hold tells nothing more.
  const gop = scanFirstGop(cam.input, MAX_POOL_BYTES);
  if (gop === undefined) return undefined;
  const fps = cam.fpsRate.num / cam.fpsRate.den;
  const gopSeconds = gop.gopFrames / fps;
  return { gopBytes: gop.gopBytes, gopSeconds, open: gop.open, segmentBytes: segmentBytesFromGop(gop.gopBytes, gopSeconds, cam.segmentSeconds) };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
