/**
 * The spool directory's lock: two processes sharing a spool would upload and delete each other's
 * files, so a process takes `<directory>/LOCK` before it touches anything else.
 *
 * The lock file is created atomically with its content (written to a private temp file, then
 * `link()`ed to `LOCK`, which fails with EEXIST when the lock exists: the O_EXCL rule without the
 * window in which a created file is still empty). It holds `{ pid, host, startTicks }`.
 *
 * A lock whose process is gone is stale (a SIGKILL leaves one behind) and is taken over. Gone means:
 * same host and `kill(pid, 0)` fails with ESRCH, or the pid is alive but started at another time
 * (`/proc/<pid>/stat` field 22: the pid was reused by an unrelated process). A lock from another host
 * (a spool on a network disk) is never taken over: its liveness cannot be checked from here.
 *
 * Take-over renames the stale file to a private name first (atomic: of two processes taking over
 * at once only one rename succeeds) and checks that what it renamed is the stale lock it inspected;
 * if it is not (another process took over in between), it puts that lock back and refuses.
 * Synchronous on purpose: it is a few tiny syscalls, and `S3HLS.initialize` is synchronous.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, S3HlsError } from '../errors.js';

/** The lock file's name inside the spool directory. */
export const LOCK_FILE = 'LOCK';

/** What a lock file says. */
export interface LockOwner {
  /** Its process id. */
  readonly pid: number;
  /** Host name of the process holding the lock. */
  readonly host: string;
  /** Process start time in clock ticks since boot (Linux), 0 when unknown. */
  readonly startTicks: number;
}

/** A held lock. */
export interface SpoolLock {
  /** The lock file's path. */
  readonly path: string;
  /** True when a stale lock of a dead process was taken over. */
  readonly tookOverFrom: LockOwner | undefined;
  /** Deletes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/** Thrown when another live process holds the spool directory. */
export class SpoolLockedError extends S3HlsError {
  /** The holder, as its lock file says. */
  readonly owner: LockOwner | undefined;

  /**
   * @param message - names the directory, the holder and what to do
   * @param owner - the holder
   */
  constructor(message: string, owner: LockOwner | undefined) {
    super(ErrorCode.SpoolLocked, message);
    this.name = 'SpoolLockedError';
    this.owner = owner;
  }
}

/** Start time of a process (Linux /proc), 0 when it cannot be read. */
function startTicksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]); // field 22 overall = index 19 after the first two fields
    return Number.isSafeInteger(v) ? v : 0;
  } catch {
    return 0;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(o.pid) || (o.pid as number) <= 0 || typeof o.host !== 'string') return undefined;
    return { pid: o.pid as number, host: o.host, startTicks: Number.isSafeInteger(o.startTicks) ? (o.startTicks as number) : 0 };
  } catch {
    return undefined;
  }
}

/** True when the owner's process still runs (or cannot be proven gone). */
function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: a process of another user has this pid: alive.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  if (owner.startTicks === 0) return true;
  const now = startTicksOf(owner.pid);
  return now === 0 || now === owner.startTicks;
}

function describe(owner: LockOwner | undefined): string {
  return owner === undefined ? 'an unreadable lock' : `process ${owner.pid} on ${owner.host}`;
}

function readOwner(path: string): { owner: LockOwner | undefined; text: string } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return { owner: parseOwner(text), text };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Takes the lock of a spool directory (which must exist).
 *
 * @param directory - the spool directory
 * @returns the held lock
 * @throws SpoolLockedError naming the holder when a live process (or another host, or this very
 *   process through another DiskSpool) holds it; the fs error when the directory is not writable
 */
export function acquireSpoolLock(directory: string): SpoolLock {
  const path = join(directory, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startTicks: startTicksOf(process.pid) };
  const myText = JSON.stringify(me);
  const tmp = join(directory, `${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, myText);
  } finally {
    closeSync(fd);
  }
  let tookOverFrom: LockOwner | undefined;
  try {
    // Bounded: each round either takes the lock, refuses, or removed one stale lock.
    for (let round = 0; round < 5; round++) {
      try {
        linkSync(tmp, path);
        return makeLock(path, myText, tookOverFrom);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = readOwner(path);
      if (seen === undefined) continue; // released meanwhile
      const { owner, text } = seen;
      if (owner?.pid === process.pid && owner.host === me.host) {
        throw new SpoolLockedError(`spool directory ${directory} is already open in this process: open it once and share the DiskSpool between streams`, owner);
      }
      // An unparsable lock is treated as held: a person should look at it rather than us guess.
      if (owner === undefined || alive(owner)) {
        throw new SpoolLockedError(
          `spool directory ${directory} is in use by ${describe(owner)} (${path}); two processes must not share a spool. Use another --spool directory, or stop that process. If it is not running, delete ${path}`,
          owner,
        );
      }
      const aside = `${tmp}.stale`;
      try {
        renameSync(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else took it over first
        throw e;
      }
      const moved = readOwner(aside);
      if (moved !== undefined && moved.text !== text) {
        // We moved a lock another process had just taken over: give it back and refuse.
        try {
          linkSync(aside, path);
        } finally {
          unlinkSync(aside);
        }
        throw new SpoolLockedError(`spool directory ${directory} was just taken by ${describe(moved.owner)}; two processes must not share a spool`, moved.owner);
      }
      unlinkSync(aside);
      tookOverFrom = owner;
    }
    throw new SpoolLockedError(`could not take the lock of spool directory ${directory} after 5 attempts (other processes keep changing ${path})`, undefined);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

function makeLock(path: string, myText: string, tookOverFrom: LockOwner | undefined): SpoolLock {
  let released = false;
  return {
    path,
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      const now = readOwner(path);
      // Only our own lock: never delete one another process took over after ours was removed.
      if (now !== undefined && now.text === myText) unlinkSync(path);
    },
  };
}
