/**
 * The disk spool from the CLI (`s3hls upload --spool`) and the API (`initialize({ spool })`), against
 * s3rver on loopback: a run that cannot store leaves its segments in the spool; a later run with
 * another prefix and another clock uploads that backlog under the keys recorded when it was muxed,
 * and its own segments under its own prefix. A second user of a locked spool is refused.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runUpload } from '../../src/cli/commands/upload.js';
import { S3Hls } from '../../src/api/s3hls.js';
import { SpoolLockedError } from '../../src/spool/spool-lock.js';
import { fixture, fixturePath, hasFfmpeg } from '../helpers/fixtures.js';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3server.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';

if (!hasFfmpeg()) {
  t.plan(0, 'ffmpeg not on PATH: fixtures need it');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 's3hls-spool-cli-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
let s3: TestS3;
t.before(async () => {
  s3 = await startS3();
});
t.teardown(() => s3.close());

/** An endpoint where nothing listens (a port just freed). */
async function deadEndpoint(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

function capture() {
  let text = '';
  return {
    write: (s: string) => ((text += s), true),
    get text() {
      return text;
    },
  };
}

async function keys(prefix: string): Promise<string[]> {
  const out = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (out.Contents ?? [])
    .map((o) => o.Key as string)
    .filter((k) => k.endsWith('.ts'))
    .sort(); // segments, not the hour index.json
}

function spooled(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.seg'));
}

t.test("CLI: backlog of an earlier run is stored under its recorded prefix and time, not today's", async (t) => {
  const spool = join(work, 'cli-spool');
  const input = fixturePath('baseline.h264');
  const common = [
    '--id',
    'cam1',
    '--input',
    input,
    '--fps',
    '25',
    '--segment-seconds',
    '1',
    '--path-style',
    '--bucket',
    s3.bucket,
    '--progress',
    'plain',
    '--spool',
    spool,
    '--drain-timeout',
    '2',
  ];
  const credentials = { ...S3RVER_CREDENTIALS };
  // Run 1: nothing answers; the run ends (unreachable), its segments stay in the spool.
  const err1 = capture();
  const code1 = await runUpload([...common, '--endpoint', await deadEndpoint(), '--prefix', 'cams/old', '--start-time', '2026-01-01T00:00:00Z'], {
    stdout: capture(),
    stderr: err1,
    credentials,
  });
  t.not(code1, 0, 'run 1 could not store');
  const left = spooled(spool);
  t.ok(left.length >= 1, `run 1 left ${left.length} segment(s) in the spool`);
  t.match(err1.text, /stay on disk; the next run with --spool/, 'run 1 says where its segments are');
  // Run 2: another prefix, another day, a reachable store.
  const err2 = capture();
  const code2 = await runUpload([...common, '--endpoint', s3.endpoint, '--prefix', 'cams/new', '--start-time', '2026-06-01T00:00:00Z'], {
    stdout: capture(),
    stderr: err2,
    credentials,
  });
  t.equal(code2, 0, `run 2 stored everything: ${err2.text}`);
  t.match(err2.text, new RegExp(`spool ${spool.replace(/[/\\]/g, '.')}: ${left.length} segment\\(s\\) .* from an earlier run`));
  const old = await keys('cams/old/');
  t.equal(old.length, left.length, 'every spooled segment stored under the old prefix');
  for (const k of old) t.match(k, /^cams\/old\/2026\/01\/01\/00\/17672256\d{5}-/, `${k}: run 1's time`);
  const fresh = await keys('cams/new/');
  t.ok(fresh.length >= 4, `run 2's own segments under its prefix (${fresh.length})`);
  for (const k of fresh) t.match(k, /^cams\/new\/2026\/06\/01\/00\//, `${k}: run 2's time`);
  t.same(spooled(spool), [], 'spool empty');
});

t.test('CLI: a spool directory in use is refused with a clear message; cameras.json spool keys are validated', async (t) => {
  const spool = join(work, 'busy-spool');
  const api = new S3Hls();
  api.initialize({
    prefix: 'cams/api',
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { ...S3RVER_CREDENTIALS },
    spool: { dir: spool },
  });
  const err = capture();
  const code = await runUpload(['--input', fixturePath('baseline.h264'), '--fps', '25', '--prefix', 'cams/x', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--spool', spool], {
    stdout: capture(),
    stderr: err,
    credentials: { ...S3RVER_CREDENTIALS },
  });
  t.equal(code, 2);
  t.match(err.text, /s3hls upload: spool directory .*busy-spool is already open in this process/);
  await api.finalize({ timeoutMs: 1_000 });
  const cfg = join(work, 'cams.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      bucket: s3.bucket,
      spool: join(work, 's'),
      cameras: [
        { id: 'a', input: 'x.h264', fps: '25', spoolMaxBytes: '8M' },
        { id: 'b', input: 'y.h264', fps: '25' },
      ],
    }),
  );
  const err2 = capture();
  t.equal(await runUpload(['--config', cfg], { stdout: capture(), stderr: err2 }), 2);
  t.match(err2.text, /cameras a and b share spool .* with different spoolMaxBytes/);
});

t.test('API: initialize({ spool }) locks the directory and uploads the backlog under its recorded keys', async (t) => {
  const dir = join(work, 'api-spool');
  const units = accessUnits(fixture('baseline.h264')).map((au) => annexB(au));
  const feed = (api: S3Hls, base: number) => {
    units.forEach((u, i) => api.putVideoFrame({ items: [{ part1: u }], timestampUs: base + i * 40_000 }));
  };
  const options = { streamId: 'cam1', bucket: s3.bucket, forcePathStyle: true, region: 'us-east-1', credentials: { ...S3RVER_CREDENTIALS }, targetSegmentSeconds: 1 };
  const one = new S3Hls();
  one.initialize({ ...options, prefix: 'api/old', endpoint: await deadEndpoint(), spool: { dir, maxBytes: 64 * 1024 * 1024 } });
  t.throws(
    () => new S3Hls().initialize({ ...options, prefix: 'api/other', endpoint: s3.endpoint, spool: { dir } }),
    SpoolLockedError,
    'a second instance on the same spool is refused at initialize',
  );
  one.startUpload();
  feed(one, 0);
  const r1 = await one.finalize({ timeoutMs: 1_500 });
  t.notOk(r1.complete, 'run 1 stored nothing');
  const left = spooled(dir).length;
  t.ok(left >= 3, `run 1's segments are in the spool (${left})`);
  const two = new S3Hls();
  two.initialize({ ...options, prefix: 'api/new', endpoint: s3.endpoint, spool: { dir } });
  two.startUpload();
  feed(two, 10_000_000);
  const r2 = await two.finalize({ timeoutMs: 20_000 });
  t.ok(r2.complete, 'run 2 complete');
  t.equal((await keys('api/old/')).length, left, 'backlog stored under the prefix it was muxed with');
  t.ok((await keys('api/new/')).length >= 3, 'run 2 under its own prefix');
  t.same(spooled(dir), [], 'spool empty');
});
