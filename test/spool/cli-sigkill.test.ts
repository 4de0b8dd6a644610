/**
 * `s3hls upload --spool` as a real child process, killed with SIGKILL during an outage and restarted:
 * the restarted process uploads the killed one's backlog under the keys recorded when it was muxed
 * while its own live segments keep flowing (live first), shows the backlog in its progress line,
 * and a third process on the same spool is refused while the second runs. s3rver on loopback
 * behind a fault proxy (503 SlowDown for every PUT during the outage).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { decodeSpoolFile } from '../../src/spool/spool-file.js';
import { fixturePath, hasFfmpeg } from '../helpers/fixtures.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';
import { TS_LOADER_ARGS } from '../helpers/ts-loader.js';

if (!hasFfmpeg()) {
  t.plan(0, 'ffmpeg not on PATH: fixtures need it');
  process.exit(0);
}

t.setTimeout(480_000);
const MAIN = fileURLToPath(new URL('./fixtures/cli-child.ts', import.meta.url));
const LOADER = TS_LOADER_ARGS;
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

interface Child {
  readonly proc: ChildProcess;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, ['--openssl-legacy-provider', ...LOADER, MAIN, 'upload', ...args], { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  const c: Child = { proc, stderr: '', exited: new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal }))) };
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => (c.stderr += d));
  return c;
}

/** Polls `cond` every 100 ms; fails after `ms` with `what`. */
async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('kill -9 during an outage, restart: backlog drains under its recorded keys while live flows', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const proxy = await startFaultProxy(s3.endpoint);
  t.teardown(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), 's3hls-cli-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const children: Child[] = [];
  t.teardown(() => {
    for (const c of children) c.proc.kill('SIGKILL');
  });
  const args = [
    '--id',
    'cam1',
    '--input',
    fixturePath('baseline.h264'),
    '--fps',
    '25',
    '--loop',
    '--segment-seconds',
    '1',
    '--prefix',
    'kill/cam1',
    '--bucket',
    s3.bucket,
    '--endpoint',
    proxy.endpoint,
    '--path-style',
    '--spool',
    dir,
    '--progress',
    'tty',
    '--drain-timeout',
    '20',
  ];
  const client = s3.client();
  const stored = async (): Promise<string[]> =>
    ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'kill/' }))).Contents ?? []).map((o) => o.Key as string).filter((k) => k.endsWith('.ts')); // not the hour index.json

  // Outage: every PUT answered 503. The first process spools, then is killed.
  proxy.setFaultPicker((method) => (method === 'PUT' ? 'slowdown503' : 'pass'));
  const first = start(args);
  children.push(first);
  const segs = (): string[] => readdirSync(dir).filter((n) => n.endsWith('.seg'));
  await until(() => segs().length >= 6, 150_000, '6 spooled segments (the child first compiles the CLI: slow on a loaded machine)');
  first.proc.kill('SIGKILL');
  t.equal((await first.exited).signal, 'SIGKILL', 'killed for real');
  const backlogKeys = segs().map((n) => {
    const d = decodeSpoolFile(readFileSync(join(dir, n)));
    if (!d.ok) throw new Error(`${n}: ${d.message}`);
    return d.header.key;
  });
  t.ok(existsSync(join(dir, 'LOCK')), 'the killed process left its lock');
  t.same(await stored(), [], 'nothing stored during the outage');

  // Outage over. A new process on the same spool takes the stale lock over.
  proxy.setFaultPicker(() => 'pass');
  const restartedAt = Date.now();
  const second = start(args);
  children.push(second);
  // A third process on the same spool is refused while the second runs.
  await until(() => second.stderr.includes('from an earlier run'), 150_000, 'the second process to open the spool');
  const openedAt = Date.now();
  // Watch the bucket from now on, while the third process starts (its start-up is slow here).
  let liveDuringDrain = 0;
  let drainedAt = 0;
  const drained = until(
    async () => {
      const keys = new Set(await stored());
      if (!backlogKeys.every((k) => keys.has(k))) return false;
      drainedAt = Date.now();
      liveDuringDrain = [...keys].filter((k) => !backlogKeys.includes(k)).length;
      return true;
    },
    90_000,
    'the backlog to be stored',
  );
  const third = start(args);
  children.push(third);
  const r3 = await third.exited;
  t.equal(r3.code, 2, 'third process refused (exit 2)');
  t.match(third.stderr, new RegExp(`spool directory .* is in use by process ${second.proc.pid} on .*two processes must not share a spool`), third.stderr);

  await drained;
  t.comment(
    `backlog of ${backlogKeys.length} segments stored ${drainedAt - restartedAt} ms after the restart (${drainedAt - openedAt} ms after the second process opened the spool; its start-up compiles TypeScript); ${liveDuringDrain} live segment(s) stored by then`,
  );
  t.comment(
    `second process said: ${second.stderr
      .split(/[\r\n]/)
      .filter((l) => l !== '' && !l.includes('\x1b[K'))
      .slice(0, 8)
      .join(' | ')}`,
  );
  // With 1-s segments, a backlog gone in under two segment durations leaves no room for a live
  // segment to interleave; a longer drain must have let live segments through (live-first order is
  // proven step by step in spool-order.test.ts).
  t.ok(liveDuringDrain >= 1 || drainedAt - openedAt < 2_000, `live segments kept flowing while the backlog drained (${liveDuringDrain} live in ${drainedAt - openedAt} ms)`);
  const backlogLines = second.stderr.match(/backlog \d+ \(/g) ?? [];
  // The progress line is redrawn about once a second: a backlog gone sooner never shows in it, and
  // the start line (the backlog's size when the spool opened) is then what the owner saw.
  if (drainedAt - openedAt > 1_500)
    t.ok(
      backlogLines.some((l) => l !== 'backlog 0 ('),
      `the progress line showed the backlog (${backlogLines.slice(0, 3).join(', ')})`,
    );
  else
    t.match(
      second.stderr,
      /spool \S+: 6 segment\(s\) \([\d.]+ [KM]B\) from an earlier run to upload/,
      'the backlog was named when the spool opened (drained before a progress redraw)',
    );
  // Stored under the recorded keys, byte for byte what the spool held (HEAD: length matches).
  for (const k of backlogKeys) {
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: k }));
    t.ok((head.ContentLength ?? 0) > 0 && head.ContentLength! % 188 === 0, `${k} stored`);
  }
  second.proc.kill('SIGINT');
  const r2 = await second.exited;
  t.equal(r2.code, 0, `second process ends cleanly after SIGINT: ${second.stderr.slice(-300)}`);
  t.notOk(existsSync(join(dir, 'LOCK')), 'lock released at exit');
  t.same(segs(), [], 'spool empty');
});
