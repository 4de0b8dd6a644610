/**
 * File-system helpers of the disk spool: what a name is without opening it, reading only regular
 * files, writev continuation, directory fsync, the atomic write of a spool file.
 */
import { constants as fsConstants } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Suffix of a spool file being written; a leftover one is an interrupted write. */
export const TMP_SUFFIX = '.tmp';

/** What a directory entry is, from lstat (which opens nothing). */
export async function fileKind(path: string): Promise<string> {
  try {
    const st = await lstat(path);
    if (st.isFile()) return 'file';
    if (st.isFIFO()) return 'FIFO';
    if (st.isSymbolicLink()) return 'symbolic link';
    if (st.isSocket()) return 'socket';
    if (st.isDirectory()) return 'directory';
    return 'device';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
}

/** Thrown by {@link readRegularFile} for anything but a regular file. */
export interface NotRegularFile extends Error {
  readonly notRegular: string;
}

/**
 * Reads a file only if it is a regular file. O_NONBLOCK makes opening a FIFO return at once
 * (a blocking open waits for a writer) and O_NOFOLLOW refuses a symlink: the name may have been
 * replaced since it was listed.
 */
export async function readRegularFile(path: string): Promise<Buffer> {
  const fh = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ELOOP') throw Object.assign(new Error(`${path} is a symbolic link`), { notRegular: 'symbolic link' });
    throw e;
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { notRegular: st.isFIFO() ? 'FIFO' : 'non-regular file' });
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** The chunks after the first `n` bytes (views, no copy). */
export function skip(chunks: Uint8Array[], n: number): Uint8Array[] {
  if (n === 0) return chunks;
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    if (n >= c.byteLength) {
      n -= c.byteLength;
      continue;
    }
    out.push(n > 0 ? c.subarray(n) : c);
    n = 0;
  }
  return out;
}

/** fsync of a directory makes a rename in it durable (POSIX: the entry lives in the directory). */
export async function syncDirectory(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/**
 * Writes a file so that after a crash or power cut it is either complete or absent: `<name>.tmp`,
 * written (writev continued until every byte is out), fsync'd, renamed to `<name>`, and the
 * directory fsync'd. On failure the temp file is deleted and the error rethrown.
 *
 * @param directory - the spool directory
 * @param name - the final file name
 * @param chunks - the file's bytes, in order (views, not copied)
 * @param total - their total length
 * @param fsync - fsync the file and the directory (off: a power cut may leave missing bytes, which the CRC detects)
 */
export async function writeFileAtomic(directory: string, name: string, chunks: Uint8Array[], total: number, fsync: boolean): Promise<void> {
  const tmp = join(directory, name + TMP_SUFFIX);
  const fh = await open(tmp, 'wx');
  try {
    let done = 0;
    while (done < total) {
      // writev may write less than asked (rare on files); continue from where it stopped.
      const { bytesWritten } = await fh.writev(skip(chunks, done));
      if (bytesWritten <= 0) throw new Error('writev wrote nothing');
      done += bytesWritten;
    }
    if (fsync) await fh.sync();
    await fh.close();
    await rename(tmp, join(directory, name));
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  if (fsync) await syncDirectory(directory);
}
