/**
 * Clip export against s3rver: real ffmpeg-made TS segments (H.264 + AAC) with a gap, exported to
 * fMP4 and checked with ffprobe and a full ffmpeg decode.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { exportClip, ExportRangeError, type SkippedGap } from '../../src/export/clip-exporter.js';
import { startS3 } from '../helpers/s3server.js';
import { hasFfmpeg, twoSecondSegmentArgs } from '../helpers/fixtures.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function makeSegments(dir: string): Buffer[] {
  execFileSync('ffmpeg', [...twoSecondSegmentArgs('320x180', 8), join(dir, 'seg%d.ts')]);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

function probe(path: string, entries: string): string {
  return execFileSync('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'csv=p=0', path]).toString();
}

t.test('exports a range with a gap as a playable MP4 with continuous timestamps', { skip: !hasFfmpeg() && 'no ffmpeg' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const segs = makeSegments(dir);
  t.equal(segs.length, 4);
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const prefix = 'cams/door';
  // Segments 0, 1 and 3 stored; 2 missing, and 3 starts 10 s after 1 ends: a gap in time and in PTS.
  const placed = [
    [0, 0],
    [1, 2000],
    [3, 14000],
  ] as const;
  for (const [n, at] of placed) {
    const key = segmentKey(prefix, { startTimeMs: T0 + at, sequence: n, durationMs: 2000, discontinuity: n !== 1 });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: segs[n] }));
  }
  const gaps: SkippedGap[] = [];
  const chunks: Uint8Array[] = [];
  for await (const c of exportClip({ client, bucket: s3.bucket, prefix, startMs: T0 + 500, endMs: T0 + 15000, onGap: (g) => gaps.push(g) })) chunks.push(c);
  const out = join(dir, 'clip.mp4');
  writeFileSync(out, Buffer.concat(chunks));
  t.same(gaps, [{ fromMs: T0 + 4000, toMs: T0 + 14000 }], 'the gap is reported');
  const streams = probe(out, 'stream=codec_type,codec_name').trim().split('\n').sort();
  t.same(streams, ['aac,audio', 'h264,video']);
  t.ok(Number(probe(out, 'format=start_time')) < 0.1, 'the clip starts at 0');
  const duration = Number(probe(out, 'format=duration'));
  t.ok(Math.abs(duration - 6) < 0.3, `duration ${duration} ≈ 6 s (3 segments, gap skipped)`);
  if (process.env.EXPORT_KEEP) writeFileSync(process.env.EXPORT_KEEP, readFileSync(out));
  const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'null', '-']);
  t.equal(decode.status, 0);
  t.equal(decode.stderr.toString(), '', 'ffmpeg decodes without errors (stderr empty at -v error)');
  const pts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=dts_time', '-of', 'csv=p=0', out])
    .toString()
    .trim()
    .split('\n')
    .map(Number);
  t.equal(pts.length, 150, 'all 150 video frames');
  let maxStep = 0;
  for (let i = 1; i < pts.length; i++) maxStep = Math.max(maxStep, pts[i] - pts[i - 1]);
  t.ok(maxStep < 0.05, `video DTS continuous over the gap (largest step ${maxStep.toFixed(3)} s)`);
  const apts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', out])
    .toString()
    .trim()
    .split('\n')
    .map(Number);
  let aStep = 0;
  for (let i = 1; i < apts.length; i++) aStep = Math.max(aStep, apts[i] - apts[i - 1]);
  t.ok(apts.length > 250 && aStep < 0.1, `audio present (${apts.length} packets) and continuous (largest step ${aStep.toFixed(3)} s)`);
});

t.test('bad ranges are refused with a reason', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const drain = async (startMs: number, endMs: number): Promise<void> => {
    for await (const _ of exportClip({ client: s3.client(), bucket: s3.bucket, prefix: 'cams/none', startMs, endMs, maxRangeMs: 3_600_000 })) void _;
  };
  await t.rejects(drain(T0, T0), ExportRangeError);
  await t.rejects(drain(T0, T0 + 7_200_000), { message: /longest export is 3600 s/ });
  await t.rejects(drain(T0, T0 + 1000), { message: /no recording/ });
});

t.test('s3hls export writes the file, reports gaps, refuses bad input', { skip: !hasFfmpeg() && 'no ffmpeg' }, async (t) => {
  const { runExport } = await import('../../src/cli/commands/export.js');
  const dir = mkdtempSync(join(tmpdir(), 's3hls-export-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const segs = makeSegments(dir);
  const s3 = await startS3();
  t.teardown(() => s3.close());
  process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
  const prefix = 'cams/yard';
  for (const [n, at] of [
    [0, 0],
    [1, 2000],
    [2, 9000],
  ] as const) {
    await s3
      .client()
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: segmentKey(prefix, { startTimeMs: T0 + at, sequence: n, durationMs: 2000, discontinuity: n === 0 }), Body: segs[n] }));
  }
  const output = join(dir, 'out.mp4');
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const base = ['--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--prefix', prefix];
  const code = await runExport([...base, '--start', new Date(T0).toISOString(), '--end', new Date(T0 + 10_000).toISOString(), '--output', output], io);
  t.equal(code, 0, stderr);
  t.match(stderr, /gap skipped: 2026-11-22T10:00:04.000Z \.\. 2026-11-22T10:00:09.000Z/);
  t.match(stdout, /out\.mp4: \d+ bytes/);
  t.ok(Math.abs(Number(probe(output, 'format=duration')) - 6) < 0.3, 'duration ≈ 6 s');
  t.equal(spawnSync('ffmpeg', ['-v', 'error', '-i', output, '-f', 'null', '-']).stderr.toString(), '');
  stderr = '';
  t.equal(await runExport([...base, '--start', new Date(T0).toISOString(), '--end', new Date(T0 + 8 * 3_600_000).toISOString(), '--output', output], io), 2);
  t.match(stderr, /longest export is 21600 s/);
  t.equal(await runExport([...base, '--start', new Date(T0).toISOString(), '--output', output], io), 2);
});
