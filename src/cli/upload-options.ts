/**
 * `s3hls upload` flags (and a cameras.json) → an upload plan: store settings plus one camera spec
 * per input. Pure apart from reading the config file, so every rule is unit-tested without S3.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFps } from '../h264/frame-timing.js';
import { validateCameraId, validatePrefix } from '../keys/object-keys.js';
import { parseTimeParam } from '../playlist/time-param.js';
import { UsageError } from '../server/cli-flags.js';
import type { CameraSpec } from '../sources/camera-manager.js';
import { FFMPEG_ENCODERS, looksLive, type FfmpegEncoder } from '../sources/ffmpeg-args.js';
import { parseTags } from '../upload/tags.js';
import { PUT_VERIFY_MODES, type PutVerifyMode } from '../upload/verify-put.js';
import { DEFAULT_SPOOL_MAX_BYTES } from '../spool/spool-config.js';
import type { SpoolOrder } from '../spool/spooling-sink.js';
import { loadCamerasConfig, type CameraEntry, type CamerasConfig } from './cameras-config.js';

/** Lowest `--fps` accepted: below it a frame interval exceeds 5 s and no frame can be placed in a segment. */
const MIN_CLI_FPS = 0.2;

/** The flags of `s3hls upload`, for node:util parseArgs. */
export const UPLOAD_FLAGS = {
  input: { type: 'string', short: 'i' },
  config: { type: 'string' },
  id: { type: 'string' },
  fps: { type: 'string' },
  encoder: { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'path-style': { type: 'boolean' },
  tag: { type: 'string', multiple: true },
  'segment-seconds': { type: 'string' },
  'pool-size': { type: 'string' },
  bitrate: { type: 'string' },
  concurrency: { type: 'string' },
  verify: { type: 'string' },
  'start-time': { type: 'string' },
  live: { type: 'boolean' },
  loop: { type: 'boolean' },
  realtime: { type: 'boolean' },
  'no-audio': { type: 'boolean' },
  'audio-bitrate': { type: 'string' },
  'drain-timeout': { type: 'string' },
  progress: { type: 'string' },
  spool: { type: 'string' },
  'spool-max-bytes': { type: 'string' },
  'spool-order': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How input bytes reach the stream. */
export type SourceKind = 'ffmpeg' | 'annexb';

/** One camera of the plan. */
export interface PlannedCamera extends CameraSpec {
  readonly kind: SourceKind;
  readonly prefix: string;
  readonly live: boolean;
  readonly fpsRate: { readonly num: number; readonly den: number } | undefined;
  readonly segmentSeconds: number;
  /** Pool bytes: as given by `--pool-size`, or the floor of the automatic rule (4 MiB) when `poolAuto`. */
  readonly poolBytes: number;
  /** True unless `--pool-size SIZE` was given: the pool is sized from the stream (src/pool/pool-sizing.ts). */
  readonly poolAuto: boolean;
  /** `--bitrate` hint, bits per second, for sizing the pool of inputs that cannot be measured up front. */
  readonly bitrateBps: number | undefined;
  /** `x-amz-tagging` form, or undefined for none. */
  readonly tags: string | undefined;
  /** The camera's disk spool (`--spool`, cameras.json `spool`), or undefined for none. */
  readonly spool: { readonly dir: string; readonly maxBytes: number } | undefined;
}

/** What `s3hls upload` will do. */
export interface UploadPlan {
  readonly help: boolean;
  readonly bucket: string;
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly pathStyle: boolean;
  readonly concurrency: number;
  /** `--verify`: how a 2xx PUT is proven stored (auto|checksum|etag|off). */
  readonly verify: PutVerifyMode;
  /** Wall-clock time of the first frame of file inputs, ms since the epoch. */
  readonly startTimeMs: number;
  readonly drainTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly progress: 'auto' | 'tty' | 'plain' | 'none';
  /** `--spool-order`: live segments or backlog first (cameras with a spool). */
  readonly spoolOrder: SpoolOrder;
  readonly cameras: readonly PlannedCamera[];
}

const DEFAULT_POOL_BYTES = 4 * 1024 * 1024;
const RAW_H264 = /\.(h264|264|h26l|avc|annexb)$/i;

/**
 * A byte size: `4194304`, `512K`, `8M`, `8MiB`, `1G` (K/M/G are binary: 1024-based, as pools are).
 *
 * @param text - the size as typed
 * @param flag - flag name for the message
 * @returns bytes
 * @throws UsageError naming the flag and the value
 */
export function parseByteSize(text: string | number, flag: string): number {
  if (typeof text === 'number') {
    if (Number.isInteger(text) && text > 0) return text;
    throw new UsageError(`${flag} must be a positive whole number of bytes, got ${text}`);
  }
  const m = /^(\d+)\s*([kmg])?(i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a size like 4194304, 512K, 8M or 8MiB, got ${JSON.stringify(text)}`);
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(m[1]) * unit;
}

function numberFlag(text: string | number | undefined, flag: string, min: number, max: number, def: number, integer = false): number {
  if (text === undefined) return def;
  const n = typeof text === 'number' ? text : Number(text);
  if (typeof text === 'string' && !/^\d+(\.\d+)?$/.test(text.trim())) throw new UsageError(`${flag} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function tagsHeader(input: string | Readonly<Record<string, string>> | readonly string[] | undefined, flag: string): string | undefined {
  if (input === undefined) return undefined;
  const text = Array.isArray(input) ? input.join('&') : input;
  try {
    const parsed = parseTags(text as string | Record<string, string>);
    return parsed.header === '' ? undefined : parsed.header;
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

function wrapped<T>(flag: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

/** The camera id for a single `--input` without `--id`: the last prefix part. */
function idFromPrefix(prefix: string): string {
  const last = prefix.split('/').pop() ?? 'camera';
  return /^[A-Za-z0-9._\-=+@]+$/.test(last) ? last : 'camera';
}

interface Defaults {
  readonly encoder: string | undefined;
  readonly fps: string | undefined;
  readonly segmentSeconds: string | number | undefined;
  readonly poolSize: string | number | undefined;
  readonly bitrateBps: number | undefined;
  readonly tags: string | undefined;
  readonly live: boolean | undefined;
  readonly loop: boolean;
  readonly realtime: boolean;
  readonly audio: boolean;
  readonly audioBitrateKbps: number | undefined;
  readonly spool: string | undefined;
  readonly spoolMaxBytes: string | number | undefined;
}

function planCamera(entry: CameraEntry, prefix: string, d: Defaults, path: string): PlannedCamera {
  const id = wrapped(`${path}id`, () => validateCameraId(entry.id));
  const encoderText = entry.encoder ?? d.encoder;
  if (encoderText !== undefined && !FFMPEG_ENCODERS.includes(encoderText as FfmpegEncoder)) {
    throw new UsageError(`${path}encoder must be one of ${FFMPEG_ENCODERS.join(', ')}, got ${JSON.stringify(encoderText)}`);
  }
  const encoder = encoderText as FfmpegEncoder | undefined;
  let input = entry.input;
  let inputArgs = entry.inputArgs;
  let kind: SourceKind = 'ffmpeg';
  const lavfi = input.startsWith('lavfi:');
  if (lavfi) {
    input = input.slice('lavfi:'.length);
    inputArgs = ['-f', 'lavfi', ...(inputArgs ?? [])];
  } else if ((input === '-' || RAW_H264.test(input)) && (encoder === undefined || encoder === 'copy')) {
    kind = 'annexb';
  }
  const fpsText = entry.fps ?? d.fps;
  const fpsRate = fpsText !== undefined ? wrapped(`${path}fps`, () => parseFps(fpsText)) : undefined;
  // Below 0.2 fps a frame interval exceeds 5 s, longer than the segment clock and drop bounds assume:
  // every frame would be dropped with a misleading timing diagnosis, so refuse it up front.
  if (fpsRate !== undefined && fpsRate.num / fpsRate.den < MIN_CLI_FPS) {
    throw new UsageError(
      `${path}fps ${fpsText ?? ''} is below the supported minimum of ${MIN_CLI_FPS} frames per second (one frame every 5 s); use a value of at least ${MIN_CLI_FPS}`,
    );
  }
  const loop = entry.loop ?? d.loop;
  const live = entry.live ?? d.live ?? (loop || (lavfi ? !/duration=|:d=/.test(input) : input === '-' ? fpsRate === undefined : looksLive(input)));
  const realtime = entry.realtime ?? (d.realtime || loop || (lavfi && live));
  if (kind === 'annexb' && input !== '-' && fpsRate === undefined) {
    throw new UsageError(`${path}fps is required for raw H.264 file ${input} (it carries no timestamps): e.g. --fps 25 or --fps 30000/1001`);
  }
  if (kind === 'annexb' && realtime && fpsRate === undefined) throw new UsageError(`${path}realtime/loop of raw H.264 needs fps`);
  if (kind === 'annexb' && loop && input === '-') throw new UsageError(`${path}loop needs a file, not stdin`);
  const segmentSeconds = numberFlag(entry.segmentSeconds ?? d.segmentSeconds, `${path}segment-seconds`, 0.1, 60, 2);
  const poolSize = entry.poolSize ?? d.poolSize;
  const poolAuto = poolSize === undefined || poolSize === 'auto';
  const poolBytes = poolAuto ? DEFAULT_POOL_BYTES : parseByteSize(poolSize, `${path}pool-size`);
  if (poolBytes < 64 * 1024 || poolBytes > 2 ** 30) throw new UsageError(`${path}pool-size must be between 64K and 1G, got ${poolBytes}`);
  const camPrefix = wrapped(`${path}prefix`, () => validatePrefix(entry.prefix ?? `${prefix}/${id}`));
  return {
    id,
    input,
    ...(inputArgs !== undefined ? { inputArgs } : {}),
    ...(encoder !== undefined ? { encoder } : {}),
    kind,
    prefix: camPrefix,
    live,
    loop,
    realtime,
    audio: entry.audio ?? d.audio,
    ...(d.audioBitrateKbps !== undefined ? { audioBitrateKbps: d.audioBitrateKbps } : {}),
    fpsRate,
    keyframeSeconds: segmentSeconds,
    segmentSeconds,
    poolBytes,
    poolAuto,
    bitrateBps: d.bitrateBps,
    tags: entry.tags !== undefined ? tagsHeader(entry.tags, `${path}tags`) : d.tags,
    spool: planSpool(entry, d, path),
  };
}

/** A camera's spool: its own entry, else the defaults (`--spool`, the file's `spool`). */
function planSpool(entry: CameraEntry, d: Defaults, path: string): PlannedCamera['spool'] {
  const dir = entry.spool === false ? undefined : (entry.spool ?? d.spool);
  if (dir === undefined) return undefined;
  const size = entry.spoolMaxBytes ?? d.spoolMaxBytes;
  const maxBytes = size === undefined ? DEFAULT_SPOOL_MAX_BYTES : parseByteSize(size, `${path}spool-max-bytes`);
  if (maxBytes < 1024 * 1024) throw new UsageError(`${path}spool-max-bytes must be at least 1M, got ${maxBytes}`);
  return { dir: resolve(dir), maxBytes };
}

/** Cameras sharing a spool directory share one quota: their settings must agree. */
function checkSharedSpools(cameras: readonly PlannedCamera[]): void {
  const seen = new Map<string, PlannedCamera>();
  for (const c of cameras) {
    if (c.spool === undefined) continue;
    const other = seen.get(c.spool.dir);
    if (other !== undefined && other.spool?.maxBytes !== c.spool.maxBytes) {
      throw new UsageError(
        `cameras ${other.id} and ${c.id} share spool ${c.spool.dir} with different spoolMaxBytes (${other.spool?.maxBytes} and ${c.spool.maxBytes}): one directory has one quota`,
      );
    }
    seen.set(c.spool.dir, c);
  }
}

/** The plan of `--help`: nothing to run. */
const HELP_PLAN: UploadPlan = {
  help: true,
  bucket: '',
  endpoint: undefined,
  region: undefined,
  profile: undefined,
  pathStyle: false,
  concurrency: 4,
  verify: 'auto',
  startTimeMs: 0,
  drainTimeoutMs: 0,
  stallTimeoutMs: 0,
  progress: 'auto',
  spoolOrder: 'live-first',
  cameras: [],
};

/**
 * Parses the arguments of `s3hls upload`.
 *
 * @param argv - the arguments after `upload`
 * @param options - `now` for the default `--start-time`
 * @returns the plan (with `help: true` and no cameras when `--help` was given)
 * @throws UsageError naming the flag (or cameras.json path) and the value, for every mistake
 */
export function parseUploadArgs(argv: readonly string[], options: { now?: () => number } = {}): UploadPlan {
  let v;
  try {
    v = parseArgs({ args: [...argv], options: UPLOAD_FLAGS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (v.help) return HELP_PLAN;
  if (v.input !== undefined && v.config !== undefined) throw new UsageError('give either --input or --config, not both');
  if (v.input === undefined && v.config === undefined) throw new UsageError('--input (a file, -, a URL, a device or lavfi:<graph>) or --config cameras.json is required');
  const config: CamerasConfig | undefined = v.config !== undefined ? loadCamerasConfig(v.config) : undefined;
  const bucket = v.bucket ?? config?.bucket;
  if (!bucket) throw new UsageError('--bucket is required');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new UsageError(`--bucket must be an S3 bucket name (3-63 of a-z 0-9 . -), got ${JSON.stringify(bucket)}`);
  const endpoint = v.endpoint ?? config?.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  const progress = (v.progress ?? 'auto') as UploadPlan['progress'];
  if (!['auto', 'tty', 'plain', 'none'].includes(progress)) throw new UsageError(`--progress must be auto, tty, plain or none, got ${JSON.stringify(v.progress)}`);
  const defaults: Defaults = {
    encoder: v.encoder,
    fps: v.fps,
    segmentSeconds: v['segment-seconds'] ?? config?.segmentSeconds,
    poolSize: v['pool-size'] ?? config?.poolSize,
    bitrateBps: v.bitrate !== undefined ? parseBitrate(v.bitrate) : undefined,
    tags: v.tag !== undefined ? tagsHeader(v.tag, '--tag') : tagsHeader(config?.tags, 'config tags'),
    live: v.live,
    loop: v.loop ?? false,
    realtime: v.realtime ?? false,
    audio: !(v['no-audio'] ?? false),
    // Only non-AAC audio is re-encoded (AAC is copied): the bitrate applies to that.
    audioBitrateKbps: v['audio-bitrate'] === undefined ? undefined : numberFlag(v['audio-bitrate'].replace(/k$/i, ''), '--audio-bitrate', 8, 512, 0, true),
    spool: v.spool ?? config?.spool,
    spoolMaxBytes: v['spool-max-bytes'] ?? config?.spoolMaxBytes,
  };
  if (v.spool === '') throw new UsageError('--spool needs a directory');
  if (v['spool-max-bytes'] !== undefined && v.spool === undefined && config?.spool === undefined) throw new UsageError('--spool-max-bytes needs --spool DIR');
  const spoolOrder = (v['spool-order'] ?? config?.spoolOrder ?? 'live-first') as SpoolOrder;
  if (spoolOrder !== 'live-first' && spoolOrder !== 'oldest-first') throw new UsageError(`--spool-order must be live-first or oldest-first, got ${JSON.stringify(spoolOrder)}`);
  let cameras: PlannedCamera[];
  if (config) {
    const parent = wrapped('--prefix', () => validatePrefix(v.prefix ?? config.prefix ?? 'cameras'));
    cameras = config.cameras.map((c, i) => planCamera(c, parent, defaults, `cameras[${i}].`));
  } else {
    if (!v.prefix) throw new UsageError('--prefix is required (the camera folder, e.g. cameras/front-door)');
    const prefix = wrapped('--prefix', () => validatePrefix(v.prefix as string));
    const id = v.id ?? idFromPrefix(prefix);
    // A single input's prefix is the camera's own folder.
    cameras = [planCamera({ id, input: v.input as string, prefix }, prefix, defaults, '--')];
  }
  checkSharedSpools(cameras);
  const startTimeMs = v['start-time'] !== undefined ? wrapped('--start-time', () => parseTimeParam(v['start-time'] as string, '--start-time')) : (options.now ?? Date.now)();
  return {
    help: false,
    bucket,
    endpoint,
    region: v.region ?? config?.region,
    profile: v.profile ?? config?.profile,
    pathStyle: v['path-style'] ?? config?.pathStyle ?? false,
    concurrency: numberFlag(v.concurrency ?? config?.concurrency, '--concurrency', 1, 256, 4, true),
    verify: parseVerify(v.verify),
    startTimeMs: Math.round(startTimeMs),
    drainTimeoutMs: numberFlag(v['drain-timeout'], '--drain-timeout', 0, 86_400, 60) * 1000,
    stallTimeoutMs: numberFlag(config?.stallTimeoutSeconds, 'config stallTimeoutSeconds', 0, 3600, 15) * 1000,
    progress,
    spoolOrder,
    cameras,
  };
}

/**
 * `--bitrate`: `12M`, `12000k`, `12000000` (decimal units, bits per second, as encoders take them).
 * @throws UsageError naming the value
 */
export function parseBitrate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg])?(?:bit\/s|bps|b)?$/i.exec(text.trim());
  const unit = m ? ({ k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1) : 0;
  const bps = m ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(bps) || bps < 10_000 || bps > 1e9)
    throw new UsageError(`--bitrate must be a bitrate from 10k to 1G bits per second like 12M or 4000k, got ${JSON.stringify(text)}`);
  return Math.round(bps);
}

function parseVerify(text: string | undefined): PutVerifyMode {
  const mode = text ?? 'auto';
  if (!(PUT_VERIFY_MODES as readonly string[]).includes(mode)) throw new UsageError(`--verify must be one of ${PUT_VERIFY_MODES.join('|')}, got '${mode}'`);
  return mode as PutVerifyMode;
}
