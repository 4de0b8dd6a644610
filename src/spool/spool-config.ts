/**
 * The spool as users configure it (`s3hls upload --spool DIR --spool-max-bytes N`, cameras.json
 * `spool`, `initialize({ spool: { dir, maxBytes } })`), and opening it with the lock taken
 * synchronously, so a conflict is an immediate, clear error even in a synchronous `initialize`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DiskSpool, type SpoolOptions } from './disk-spool.js';
import { acquireSpoolLock } from './spool-lock.js';
import type { SpoolOrder } from './spooling-sink.js';

/** Default spool quota: 1 GiB, about 28 minutes of one 5 Mbit/s camera. */
export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;

/** A disk spool as configured by a user. */
export interface SpoolConfig {
  /** The spool directory (created when missing). One process per directory: it is locked. */
  readonly dir: string;
  /** Most bytes kept on disk; the oldest spooled segments are dropped (counted) beyond it. @defaultValue 1 GiB */
  readonly maxBytes?: number | undefined;
  /** Live segments first (default) or oldest first; see {@link SpoolOrder}. @defaultValue 'live-first' */
  readonly order?: SpoolOrder | undefined;
}

/**
 * Validates a spool config, creates the directory and takes its lock now; verifying the files
 * already there (the backlog of an earlier run) continues in the background.
 *
 * @param config - see {@link SpoolConfig}
 * @param extra - further DiskSpool options (onDamaged)
 * @returns the spool being opened (reject: the directory could not be read)
 * @throws TypeError / RangeError naming a bad option; SpoolLockedError when another process holds
 *   the directory; the fs error when it cannot be created
 */
export function openSpoolLocked(config: SpoolConfig, extra: Pick<SpoolOptions, 'onDamaged'> = {}): Promise<DiskSpool> {
  if (config === null || typeof config !== 'object') throw new TypeError('spool must be an object { dir, maxBytes? }');
  if (typeof config.dir !== 'string' || config.dir === '') throw new TypeError(`spool.dir must be a non-empty path, got ${JSON.stringify(config.dir)}`);
  const quotaBytes = config.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
  if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 1024 * 1024) throw new RangeError(`spool.maxBytes must be a whole number of bytes ≥ 1 MiB, got ${config.maxBytes}`);
  if (config.order !== undefined && config.order !== 'live-first' && config.order !== 'oldest-first') {
    throw new TypeError(`spool.order must be 'live-first' or 'oldest-first', got ${JSON.stringify(config.order)}`);
  }
  mkdirSync(join(config.dir, 'damaged'), { recursive: true });
  const lock = acquireSpoolLock(config.dir);
  const opening = DiskSpool.open({ directory: config.dir, quotaBytes, lock, ...extra });
  // The caller may never await it when it fails; the pipeline reports the failure.
  opening.catch(() => {});
  return opening;
}
