/**
 * The `cameras.json` file of `s3hls upload --config` (docs/cli.md documents the format): store
 * settings shared by all cameras, then one entry per camera. Validation names the JSON path of
 * every mistake (`cameras[2].encoder`), because the file is written by hand.
 */
import { readFileSync } from 'node:fs';
import { FFMPEG_ENCODERS, type FfmpegEncoder } from '../sources/ffmpeg-args.js';
import { UsageError } from '../server/cli-flags.js';

/** One camera entry of the file. */
export interface CameraEntry {
  readonly id: string;
  /** A file, `-`, a URL (`rtsp://…`), a device (`/dev/video0`) or `lavfi:<graph>`. */
  readonly input: string;
  readonly encoder?: FfmpegEncoder;
  /** Options for ffmpeg before `-i`. */
  readonly inputArgs?: readonly string[];
  /** Frame rate of raw H.264 input: `25`, `30000/1001`, `29.97`. */
  readonly fps?: string;
  readonly audio?: boolean;
  readonly realtime?: boolean;
  readonly loop?: boolean;
  readonly live?: boolean;
  /** Key prefix; default `<file prefix>/<id>`. */
  readonly prefix?: string;
  /** `k=v&k2=v2` or an object; default the file's `tags`. */
  readonly tags?: string | Readonly<Record<string, string>>;
  readonly segmentSeconds?: number;
  readonly poolSize?: number | string;
  /** Spool directory of this camera (cameras may share one), or false for none; default the file's `spool`. */
  readonly spool?: string | false;
  /** Spool quota, bytes or a size like "20G"; cameras sharing a directory must agree. */
  readonly spoolMaxBytes?: number | string;
}

/** The whole file. Top-level values are defaults that command-line flags override. */
export interface CamerasConfig {
  readonly bucket?: string;
  /** Parent prefix of the cameras. */
  readonly prefix?: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly pathStyle?: boolean;
  readonly profile?: string;
  readonly concurrency?: number;
  readonly segmentSeconds?: number;
  readonly poolSize?: number | string;
  readonly tags?: string | Readonly<Record<string, string>>;
  /** A live camera with no frame for this long is restarted. */
  readonly stallTimeoutSeconds?: number;
  /** Spool directory of every camera (docs/spool.md). */
  readonly spool?: string;
  readonly spoolMaxBytes?: number | string;
  /** `live-first` (default) or `oldest-first`. */
  readonly spoolOrder?: string;
  readonly cameras: readonly CameraEntry[];
}

const TOP_KEYS = new Set([
  'bucket',
  'prefix',
  'endpoint',
  'region',
  'pathStyle',
  'profile',
  'concurrency',
  'segmentSeconds',
  'poolSize',
  'tags',
  'stallTimeoutSeconds',
  'spool',
  'spoolMaxBytes',
  'spoolOrder',
  'cameras',
]);
const CAMERA_KEYS = new Set([
  'id',
  'input',
  'encoder',
  'inputArgs',
  'fps',
  'audio',
  'realtime',
  'loop',
  'live',
  'prefix',
  'tags',
  'segmentSeconds',
  'poolSize',
  'spool',
  'spoolMaxBytes',
]);

type Json = Record<string, unknown>;

function expect(cond: boolean, path: string, what: string, value: unknown): void {
  if (!cond) throw new UsageError(`config ${path} must be ${what}, got ${JSON.stringify(value)}`);
}

function checkKeys(obj: Json, allowed: Set<string>, path: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw new UsageError(`config ${path}${path ? '.' : ''}${k}: unknown key (allowed: ${[...allowed].join(', ')})`);
  }
}

function optional(obj: Json, key: string, path: string, type: 'string' | 'boolean' | 'number'): void {
  if (obj[key] !== undefined) expect(typeof obj[key] === type, `${path}${key}`, `a ${type}`, obj[key]);
}

function checkTags(v: unknown, path: string): void {
  if (v === undefined || typeof v === 'string') return;
  expect(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string'), path, 'a "k=v&k2=v2" string or an object of strings', v);
}

/**
 * Validates a parsed cameras.json.
 *
 * @param value - the parsed JSON
 * @returns the same value, typed
 * @throws UsageError naming the JSON path and the value of the first mistake
 */
export function validateCamerasConfig(value: unknown): CamerasConfig {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), '(top level)', 'an object with a "cameras" array', value);
  const top = value as Json;
  checkKeys(top, TOP_KEYS, '');
  for (const k of ['bucket', 'prefix', 'endpoint', 'region', 'profile', 'spool', 'spoolOrder'] as const) optional(top, k, '', 'string');
  if (top['spoolMaxBytes'] !== undefined)
    expect(typeof top['spoolMaxBytes'] === 'number' || typeof top['spoolMaxBytes'] === 'string', 'spoolMaxBytes', 'a number of bytes or a size like "20G"', top['spoolMaxBytes']);
  optional(top, 'pathStyle', '', 'boolean');
  for (const k of ['concurrency', 'segmentSeconds', 'stallTimeoutSeconds'] as const) optional(top, k, '', 'number');
  if (top['poolSize'] !== undefined)
    expect(typeof top['poolSize'] === 'number' || typeof top['poolSize'] === 'string', 'poolSize', 'a number of bytes or a size like "8MiB"', top['poolSize']);
  checkTags(top['tags'], 'tags');
  const cams = top['cameras'];
  expect(Array.isArray(cams) && cams.length > 0, 'cameras', 'a non-empty array', cams);
  const ids = new Set<string>();
  (cams as unknown[]).forEach((c, i) => {
    const path = `cameras[${i}]`;
    expect(typeof c === 'object' && c !== null && !Array.isArray(c), path, 'an object with "id" and "input"', c);
    const cam = c as Json;
    checkKeys(cam, CAMERA_KEYS, path);
    expect(typeof cam['id'] === 'string' && cam['id'] !== '', `${path}.id`, 'a non-empty string', cam['id']);
    expect(!ids.has(cam['id'] as string), `${path}.id`, 'unique', cam['id']);
    ids.add(cam['id'] as string);
    expect(typeof cam['input'] === 'string' && cam['input'] !== '', `${path}.input`, 'a non-empty string', cam['input']);
    if (cam['encoder'] !== undefined) expect(FFMPEG_ENCODERS.includes(cam['encoder'] as FfmpegEncoder), `${path}.encoder`, `one of ${FFMPEG_ENCODERS.join(', ')}`, cam['encoder']);
    if (cam['inputArgs'] !== undefined)
      expect(Array.isArray(cam['inputArgs']) && (cam['inputArgs'] as unknown[]).every((a) => typeof a === 'string'), `${path}.inputArgs`, 'an array of strings', cam['inputArgs']);
    for (const k of ['fps', 'prefix'] as const) optional(cam, k, `${path}.`, 'string');
    for (const k of ['audio', 'realtime', 'loop', 'live'] as const) optional(cam, k, `${path}.`, 'boolean');
    optional(cam, 'segmentSeconds', `${path}.`, 'number');
    if (cam['poolSize'] !== undefined)
      expect(typeof cam['poolSize'] === 'number' || typeof cam['poolSize'] === 'string', `${path}.poolSize`, 'a number of bytes or a size like "8MiB"', cam['poolSize']);
    checkTags(cam['tags'], `${path}.tags`);
    if (cam['spool'] !== undefined)
      expect((typeof cam['spool'] === 'string' && cam['spool'] !== '') || cam['spool'] === false, `${path}.spool`, 'a directory or false', cam['spool']);
    if (cam['spoolMaxBytes'] !== undefined)
      expect(
        typeof cam['spoolMaxBytes'] === 'number' || typeof cam['spoolMaxBytes'] === 'string',
        `${path}.spoolMaxBytes`,
        'a number of bytes or a size like "20G"',
        cam['spoolMaxBytes'],
      );
  });
  return top as unknown as CamerasConfig;
}

/**
 * Reads and validates a cameras.json file.
 *
 * @param path - the file
 * @returns the config
 * @throws UsageError when the file is missing, not JSON, or invalid (one line, naming the problem)
 */
export function loadCamerasConfig(path: string): CamerasConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --config ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return validateCamerasConfig(json);
}
