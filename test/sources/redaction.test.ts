/**
 * Regression (issue 13): an RTSP URL with a password was printed in forwarded ffmpeg stderr lines
 * (`rtsp://admin:<pw>@...: Connection refused`). The unit cases pin the redaction rule; the ffmpeg
 * case runs the real ffmpeg against a closed port on loopback and checks every event and the error.
 */
import t from 'tap';
import { createServer } from 'node:net';
import { FfmpegSource } from '../../src/sources/ffmpeg-source.js';
import { redactingWriter, redactUrlCredentials } from '../../src/redact.js';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { Collector } from './collector.js';

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg not on PATH';

t.test('redactUrlCredentials: user:***@ in every URL, nothing else touched', async (t) => {
  const cases: [string, string][] = [
    ['rtsp://admin:hunter2@10.0.0.5:554/ch1: Connection refused', 'rtsp://admin:***@10.0.0.5:554/ch1: Connection refused'],
    ['http://u:p@ss@h/x and rtsps://v:w@k', 'http://u:***@h/x and rtsps://v:***@k'],
    ['RTSP://Admin:Pw@cam', 'RTSP://Admin:***@cam'],
    ['rtsp://:onlypw@cam/x', 'rtsp://:***@cam/x'],
    ['rtsp://cam:554/x (no user info)', 'rtsp://cam:554/x (no user info)'],
    ['rtsp://user@cam/x (no password)', 'rtsp://user@cam/x (no password)'],
    ['mail me at a:b@c (no scheme)', 'mail me at a:b@c (no scheme)'],
    ['http://h/x?u=a:b@c', 'http://h/x?u=a:b@c'],
  ];
  for (const [input, want] of cases) t.equal(redactUrlCredentials(input), want, input);
  const seen: string[] = [];
  const w = redactingWriter({ write: (s: string) => seen.push(s), isTTY: true });
  w.write('camera door: rtsp://admin:hunter2@cam/1 failed\n');
  t.same(seen, ['camera door: rtsp://admin:***@cam/1 failed\n']);
  t.equal(w.isTTY, true, 'keeps isTTY (the progress line depends on it)');
});

t.test('regression: forwarded ffmpeg stderr, exit events and the error never carry the RTSP password', { skip: noFfmpeg }, async (t) => {
  // A port that refuses: bind one, note it, close it.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const input = `rtsp://admin:hunter2@127.0.0.1:${port}/stream1`;
  const src = new FfmpegSource(new Collector(), { input, live: true, maxRestarts: 1, restartDelayMs: 10 });
  const printed: string[] = [];
  src.on('stderr', (line) => printed.push(line));
  src.on('exit', (e) => printed.push(e.lastError));
  const err = await src.run().then(
    () => undefined,
    (e: Error) => e,
  );
  t.ok(err, 'the source gives up after its restarts');
  printed.push(err?.message ?? '');
  t.ok(
    printed.some((l) => l.includes(`rtsp://admin:***@127.0.0.1:${port}/stream1`)),
    `ffmpeg's line is forwarded, redacted: ${JSON.stringify(printed)}`,
  );
  t.notOk(
    printed.some((l) => l.includes('hunter2')),
    'no printed line holds the password',
  );
  t.match(err?.message, /Connection refused/, 'the reason is still there');
});

t.test('regression: `s3hls upload` of an RTSP URL with a password prints no line holding it', { skip: noFfmpeg }, async (t) => {
  const { main } = await import('../../src/cli/main.js');
  const { startS3, S3RVER_CREDENTIALS } = await import('../helpers/s3server.js');
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const saved = { ...process.env };
  process.env['AWS_ACCESS_KEY_ID'] = S3RVER_CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = S3RVER_CREDENTIALS.secretAccessKey;
  delete process.env['AWS_PROFILE'];
  t.teardown(() => void (process.env = saved));
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  let printed = '';
  const io = { write: (s: string) => void (printed += s) };
  const ac = new AbortController();
  const done = main(
    [
      'upload',
      '--input',
      `rtsp://admin:hunter2@127.0.0.1:${port}/stream1`,
      '--bucket',
      s3.bucket,
      '--prefix',
      'cams/door',
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--progress',
      'plain',
      '--drain-timeout',
      '1',
    ],
    { stdout: io, stderr: io, signal: ac.signal },
  );
  // ffmpeg's "Connection refused" line is forwarded within a second; bounded wait with a message.
  const deadline = Date.now() + 15_000;
  while (!/Connection refused/.test(printed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  await done;
  t.match(printed, new RegExp(`rtsp://admin:\\*\\*\\*@127\\.0\\.0\\.1:${port}/stream1: Connection refused`), 'the forwarded ffmpeg line is printed, redacted');
  t.notMatch(printed, /hunter2/, 'the password appears in no printed line');
});
