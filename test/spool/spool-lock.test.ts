/**
 * The spool directory's lock (src/spool/spool-lock.ts) and non-regular files in the spool: a second
 * process is refused with a message naming the holder; a lock left by a killed process (or by a pid
 * now used by another program) is taken over; a FIFO named like a spool file is skipped, not opened.
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskSpool } from '../../src/spool/disk-spool.js';
import { SpoolLockedError } from '../../src/spool/spool-lock.js';
import { TS_LOADER_ARGS } from '../helpers/ts-loader.js';

const CHILD = fileURLToPath(new URL('./fixtures/spool-holder-child.ts', import.meta.url));
const LOADER = TS_LOADER_ARGS;

function tmp(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-spool-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A pid that certainly belongs to no process: one that just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

t.test('a second DiskSpool on the same directory in this process is refused', async (t) => {
  const dir = tmp(t);
  const a = await DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 });
  await t.rejects(DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 }), { name: 'SpoolLockedError', code: 'SPOOL_LOCKED', message: /already open in this process/ });
  await a.close();
  const b = await DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 });
  t.pass('open again after close()');
  await b.close();
  t.throws(() => readFileSync(join(dir, 'LOCK')), { code: 'ENOENT' }, 'close() removed the lock file');
});

t.test('another live process holding the spool: refused with its pid; after SIGKILL its stale lock is taken over', async (t) => {
  const dir = tmp(t);
  const child = spawn(process.execPath, [...LOADER, CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`holder exited early (${code})`)));
  });
  const err = await DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof SpoolLockedError, 'refused');
  t.match((err as Error).message, new RegExp(`in use by process ${child.pid} on `), 'the message names the holder');
  t.match((err as Error).message, /two processes must not share a spool/);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 });
  t.equal((JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')) as { pid: number }).pid, process.pid, 'the lock is ours now');
  await spool.close();
});

t.test('a lock of a dead pid, or of a reused pid (other start time), is taken over', async (t) => {
  for (const owner of [
    { pid: deadPid(), host: hostname(), startTicks: 0 },
    // process.ppid is alive, but this lock says it started at another time: the pid was reused.
    { pid: process.ppid, host: hostname(), startTicks: 1 },
  ]) {
    const dir = tmp(t);
    writeFileSync(join(dir, 'LOCK'), JSON.stringify(owner));
    const spool = await DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 });
    t.equal((JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')) as { pid: number }).pid, process.pid, `lock of ${JSON.stringify(owner)} taken over`);
    await spool.close();
  }
});

t.test('a lock from another host, or one that does not parse, is never taken over', async (t) => {
  for (const text of [JSON.stringify({ pid: deadPid(), host: 'nas-other-host', startTicks: 0 }), 'garbage']) {
    const dir = tmp(t);
    writeFileSync(join(dir, 'LOCK'), text);
    await t.rejects(DiskSpool.open({ directory: dir, quotaBytes: 1_000_000 }), { code: 'SPOOL_LOCKED', message: /delete .*LOCK/ });
    t.equal(readFileSync(join(dir, 'LOCK'), 'utf8'), text, 'the lock is left as it was');
  }
});

t.test('a FIFO or a symlink named like a spool file is skipped with a message, never opened', async (t) => {
  const dir = tmp(t);
  const fifo = '0000000000001-0000000001.seg';
  t.equal(spawnSync('mkfifo', [join(dir, fifo)]).status, 0, 'mkfifo');
  symlinkSync(join(dir, fifo), join(dir, '0000000000002-0000000002.seg'));
  spawnSync('mkfifo', [join(dir, '0000000000003-0000000003.seg.tmp')]);
  const reports: string[] = [];
  // A blocking open of the FIFO would hang here until the test's timeout.
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 1_000_000, onDamaged: (r) => reports.push(`${r.reason}: ${r.message}`) });
  const st = spool.stats();
  t.equal(st.skippedNotRegular, 3, 'three names skipped');
  t.equal(st.files, 0);
  t.equal(st.damaged, 0, 'not counted as damaged');
  t.match(reports.join('\n'), /not-regular-file: spool file 0000000000001-0000000001\.seg: is a FIFO, not a regular file: skipped \(not opened/);
  t.match(reports.join('\n'), /is a symbolic link/);
  await spool.close();
});
