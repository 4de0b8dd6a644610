/**
 * The disk spool: segments that cannot stay in the pool during an outage go to disk, and are
 * uploaded later, oldest first; segments left by a killed run are found, verified and uploaded.
 */
export { DiskSpool, type SpoolOptions, type SpoolEntry, type SpoolStats, type SpoolPolicy, type SpoolWriteOptions } from './disk-spool.js';
export { SpoolingSink, type SpoolingSinkOptions, type SpoolingSinkStats, type SpoolOrder, type IdleAwareSink } from './spooling-sink.js';
export { acquireSpoolLock, SpoolLockedError, LOCK_FILE, type SpoolLock, type LockOwner } from './spool-lock.js';
export { SpoolError, SpoolErrorCode, type SpoolErrorCodeValue, type SpoolDropReason, type DamageReason, type DamagedReport } from './spool-errors.js';
export { decodeSpoolFile, SPOOL_MAGIC, type SpoolHeader, type SpooledSegmentInfo, type DecodeResult } from './spool-file.js';
export { openSpoolLocked, DEFAULT_SPOOL_MAX_BYTES, type SpoolConfig } from './spool-config.js';
