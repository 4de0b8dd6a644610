/**
 * The `s3hls` program as a user runs it: a real child process (help, exit codes, one-line errors)
 * and SIGINT finalizing a live upload cleanly.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { main } from '../../src/cli/main.js';
import { MAIN_HELP, UPLOAD_HELP } from '../../src/cli/help.js';
import { UPLOAD_FLAGS } from '../../src/cli/upload-options.js';
import { parseSegmentKey } from '../../src/keys/object-keys.js';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs src/cli/main.ts in a child node with the test's TypeScript loader; `onStart` may signal it. */
function s3hls(args: string[], onStart?: (pid: number) => void): Promise<Child> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_NO_WARNINGS: '1',
      TS_NODE_TRANSPILE_ONLY: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (onStart && child.pid) onStart(child.pid);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
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

t.test('--help documents every command, every upload flag and the exit codes', async (t) => {
  const out = capture();
  t.equal(await main(['--help'], { stdout: out }), 0);
  t.equal(out.text, MAIN_HELP);
  for (const cmd of ['upload', 'playlist', 'serve', 'recordings', 'export', 'keep', 'bucket', 'demo']) t.match(MAIN_HELP, new RegExp(`s3hls ${cmd}`));
  t.match(MAIN_HELP, /Exit status: 0 .*\n?.*2 usage error/);
  for (const cmd of ['playlist', 'serve', 'recordings', 'export', 'keep', 'bucket']) {
    const help = capture();
    t.equal(await main([cmd, '--help'], { stdout: help }), 0, `${cmd} --help exits 0`);
    t.match(help.text, new RegExp(`^s3hls ${cmd} `), `${cmd} --help prints its own help`);
  }
  const up = capture();
  t.equal(await main(['upload', '--help'], { stdout: up }), 0);
  for (const flag of Object.keys(UPLOAD_FLAGS)) t.match(up.text, `--${flag}`, `--${flag} documented`);
  t.equal(up.text, UPLOAD_HELP);
  const err = capture();
  t.equal(await main(['uplaod'], { stderr: err }), 2);
  t.equal(err.text, 's3hls: unknown command "uplaod" (commands: upload, playlist, serve, recordings, export, keep, bucket, demo; see s3hls --help)\n');
  t.equal(await main([], { stdout: capture() }), 2, 'no command: help and status 2');
});

t.test('as a process: a user error is one line on stderr and a documented status, no stack trace', { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' }, async (t) => {
  const r = await s3hls([
    'upload',
    '--input',
    '/nonexistent/cam.mp4',
    '--bucket',
    'footage',
    '--prefix',
    'p',
    '--endpoint',
    'http://127.0.0.1:9',
    '--path-style',
    '--progress',
    'none',
  ]);
  t.equal(r.code, 3);
  t.match(r.stderr.trim(), /^s3hls upload: cannot read \/nonexistent\/cam\.mp4: .*No such file or directory$/);
  t.equal(r.stderr, `${r.stderr.trim()}\n`);
  t.equal(r.stderr.trim().split('\n').length, 1, 'exactly one line');
  t.notMatch(r.stderr, /\n\s+at /);
  const u = await s3hls(['upload', '--input', 'x.mp4', '--bucket', 'footage', '--prefix', 'p', '--pool-size', 'big']);
  t.equal(u.code, 2);
  t.match(u.stderr, /^s3hls upload: --pool-size must be a size like .* got "big"\n\(see s3hls upload --help\)\n$/);
});

t.test('SIGINT on a live upload: the open segment is finalized and drained, exit 0, every key stored', { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' }, async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  let pid = 0;
  const running = s3hls(
    [
      'upload',
      '--input',
      'lavfi:testsrc2=size=320x240:rate=25',
      '--encoder',
      'libx264',
      '--bucket',
      s3.bucket,
      '--prefix',
      'live/cam',
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--segment-seconds',
      '1',
      '--progress',
      'plain',
    ],
    (p) => (pid = p),
  );
  // Wait for two stored segments, then interrupt mid-segment. A loaded 2-core machine took up to a
  // minute to start node + ffmpeg: the bound is generous, and the test says when it was not met
  // instead of signalling a process that has not installed its SIGINT handler yet.
  const deadline = Date.now() + 150_000;
  while (s3.requests.filter((r) => r.method === 'PUT').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.ok(s3.requests.filter((r) => r.method === 'PUT').length >= 2, 'two segments stored before the interrupt');
  await new Promise((r) => setTimeout(r, 500));
  process.kill(pid, 'SIGINT');
  const r = await running;
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /SIGINT: finishing/);
  t.match(r.stdout, /stored \d+ segments .*; 0 frames dropped\n$/);
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'live/cam/' }));
  const keys = (listed.Contents ?? [])
    .filter((o) => o.Key!.endsWith('.ts'))
    .map((o) => parseSegmentKey(o.Key!, 'live/cam')!)
    .sort((a, b) => a.sequence - b.sequence);
  const storedLines = r.stdout.match(/^stored live\/cam\//gm)?.length ?? 0;
  t.equal(keys.length, storedLines, 'every segment the run reported is in the bucket');
  t.ok(keys.length >= 3, `${keys.length} segments (the last one cut by SIGINT)`);
  t.same(
    keys.map((k) => k.sequence - keys[0].sequence),
    keys.map((_, i) => i),
    'no gap in sequence numbers',
  );
  t.ok(keys[keys.length - 1].durationMs < 1000, `the finalized last segment is short (${keys[keys.length - 1].durationMs} ms)`);
});
