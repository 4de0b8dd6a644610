/**
 * The pipeline's CPU per camera-second by stage (issue 15 §3), for a 1080p 5 Mbit/s camera with 2 s
 * segments (one 1.25 MB PUT every 2 s), put together from the figures measured alone in the same run:
 * mux from the mux bench's throughput, checksum / sign / verify / send from the put-cost figures.
 * `send` is the rest of a whole PutObject once its signing is taken out: the SDK's serialisation and
 * middleware, the HTTP request and — over HTTPS — TLS encryption.
 */
import { round } from './figures.js';
import type { PutCostFigures } from './put-cost.js';

/** ms of CPU per camera-second, by stage. */
export interface StageFigures {
  readonly mux: number;
  readonly checksum: number;
  readonly sign: number;
  readonly verify: number;
  /**
   * What `verify` becomes against a server that echoes no checksum (s3rver, older S3-compatible
   * servers): the ETag = MD5 proof of the body. Not in `total` (S3 echoes the checksum).
   */
  readonly verifyEtagMd5: number;
  readonly send: number;
  readonly total: number;
}

/** Both configurations: an HTTPS endpoint (S3; payload unsigned) and a plain-HTTP one (payload hash signed). */
export interface StagesByEndpoint {
  readonly https: StageFigures;
  readonly http: StageFigures;
}

/** Bytes of H.264 per camera-second at 5 Mbit/s. */
const BYTES_PER_SECOND = 625_000;

/**
 * The stage figures.
 * @param muxMBps - our mux throughput, MB of input per second (mux bench, video only)
 * @param p - the put-cost figures of a `segmentBytes` body
 * @param segmentSeconds - seconds per segment (PUTs per camera-second = 1 / this) @defaultValue 2
 * @returns ms of CPU per camera-second by stage, for both endpoint kinds
 */
export function stagesPerCameraSecond(muxMBps: number, p: PutCostFigures, segmentSeconds = 2): StagesByEndpoint {
  const perSecond = 1 / segmentSeconds;
  // The put figures are for a body of p.bodyBytes; scale the per-byte parts to a 5 Mbit/s segment.
  const scale = (BYTES_PER_SECOND * segmentSeconds) / p.bodyBytes;
  const mux = (BYTES_PER_SECOND / 1e6 / muxMBps) * 1000;
  const checksum = p.crc32Ms * scale * perSecond;
  const verify = p.echoVerifyMs * perSecond;
  const verifyEtagMd5 = p.md5VerifyMs * scale * perSecond;
  const make = (sign: number, putMs: number): StageFigures => {
    const send = Math.max(0, putMs - sign) * perSecond;
    const signPerSecond = sign * perSecond;
    return {
      mux: round(mux, 3),
      checksum: round(checksum, 3),
      sign: round(signPerSecond, 3),
      verify: round(verify, 4),
      verifyEtagMd5: round(verifyEtagMd5, 3),
      send: round(send, 3),
      total: round(mux + checksum + signPerSecond + verify + send, 3),
    };
  };
  return {
    https: make(p.signFixedMs, p.putHttpsUnsignedMs),
    http: make(p.signFixedMs + p.sha256Ms * scale, p.putHttpSignedMs),
  };
}

/**
 * One line for the terminal.
 * @param name - the configuration
 * @param s - its figures
 * @returns the line
 */
export function stageLine(name: string, s: StageFigures): string {
  return `${name}: mux ${s.mux} + checksum ${s.checksum} + sign ${s.sign} + verify ${s.verify} + send ${s.send} = ${s.total} ms CPU per camera-second (against a server echoing no checksum, verify becomes the body's MD5: +${s.verifyEtagMd5})`;
}
