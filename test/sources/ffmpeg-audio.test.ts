/**
 * Audio passthrough (issue 11 §3): AAC input is copied bit-exact with `--encoder copy`, other audio
 * (G.711 µ-law) is re-encoded to AAC at `--audio-bitrate`, and the progress output says which.
 * End to end: `s3hls upload` → s3rver → stored segments demuxed by mux.js (an independent demuxer)
 * → ADTS frames compared with the source's (`ffmpeg -c:a copy -f adts`).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runUpload } from '../../src/cli/commands/upload.js';
import { audioArgs, ffprobeBeside, parseProbe, planAudio, probeAudio, probeInputArgs } from '../../src/sources/ffmpeg-audio.js';
import { ffmpegArgs } from '../../src/sources/ffmpeg-args.js';
import { FfmpegSource } from '../../src/sources/ffmpeg-source.js';
import { Collector } from './collector.js';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { demux } from '../helpers/demux.js';
import { startS3, type TestS3 } from '../helpers/s3server.js';

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg not on PATH';

const dir = mkdtempSync(join(tmpdir(), 's3hls-audio-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-y', '-hide_banner', '-nostdin', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

t.test('planAudio: AAC copied, everything else re-encoded at the bitrate asked for, progress line says which', async (t) => {
  const aac = planAudio(parseProbe('{"streams":[{"codec_name":"aac","profile":"LC","sample_rate":"48000","channels":2}]}'), {});
  t.same(aac, { mode: 'copy', description: 'audio: AAC LC copied' });
  t.same(audioArgs(aac), ['-map', '0:a:0?', '-c:a', 'copy']);
  const mulaw = planAudio(parseProbe('{"streams":[{"codec_name":"pcm_mulaw","sample_rate":"8000","channels":1}]}'), {});
  t.same(mulaw, { mode: 'encode', bitrateKbps: 64, description: 'audio: pcm_mulaw → AAC 64 kbit/s' }, 'mono G.711: 64 kbit/s by default');
  t.same(audioArgs(mulaw), ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', '64k']);
  t.equal(planAudio(parseProbe('{"streams":[{"codec_name":"opus","channels":2}]}'), { audioBitrateKbps: 96 }).description, 'audio: opus → AAC 96 kbit/s');
  t.equal(planAudio(parseProbe('{"streams":[{"codec_name":"mp3","channels":2}]}'), {}).description, 'audio: mp3 → AAC 128 kbit/s');
  t.equal(
    planAudio(parseProbe('{"streams":[{"codec_name":"aac","channels":2}]}'), { audioMode: 'encode', audioBitrateKbps: 64 }).mode,
    'encode',
    'audioMode encode forces re-encoding',
  );
  t.same(planAudio(parseProbe('{"streams":[]}'), {}), { mode: 'none', description: 'audio: none in the input' });
  t.equal(
    planAudio({ status: 'unknown', reason: 'ffprobe gave no answer within 10 ms' }, {}).description,
    'audio: codec unknown (ffprobe gave no answer within 10 ms) → AAC 128 kbit/s',
  );
  t.equal(planAudio({ status: 'found', codec: 'aac' }, { audio: false }).mode, 'none');
  t.equal(parseProbe('not json').status, 'unknown');
  t.throws(() => planAudio({ status: 'none' }, { audioBitrateKbps: 4 }), { name: 'RangeError', message: /audioBitrateKbps.*8\.\.512.*got 4/ });
  t.throws(() => ffmpegArgs({ input: 'x', audioBitrateKbps: 1000 }), { name: 'RangeError', message: /audioBitrateKbps/ });
  t.match(ffmpegArgs({ input: 'x.mp4' }, aac).join(' '), /-map 0:a:0\? -c:a copy -f mpegts/);
  t.equal(ffprobeBeside('/opt/ff/bin/ffmpeg'), '/opt/ff/bin/ffprobe');
  t.equal(ffprobeBeside('/opt/ff/bin/ffmpeg-6'), '/opt/ff/bin/ffprobe-6');
  t.equal(ffprobeBeside(undefined), 'ffprobe');
  t.same(
    probeInputArgs(['-re', '-hwaccel', 'cuda', '-rtsp_transport', 'tcp', '-c:v', 'h264_cuvid', '-f', 'rtsp', '-stream_loop', '-1']),
    ['-rtsp_transport', 'tcp', '-f', 'rtsp'],
    'options ffprobe refuses are left out, protocol/format options kept',
  );
});

t.test('probeAudio is bounded in time and never throws', { skip: noFfmpeg }, async (t) => {
  const missing = await probeAudio({ input: 'x.mp4', ffprobePath: '/nonexistent/ffprobe-s3hls' });
  t.equal(missing.status, 'unknown');
  t.match(missing.reason, /ENOENT/);
  // A lavfi graph that never ends is still probed at once; an unreachable RTSP server is not: the
  // bound applies (192.0.2.1 is TEST-NET-1, never routed).
  const t0 = Date.now();
  const slow = await probeAudio({ input: 'rtsp://192.0.2.1:554/x', inputArgs: ['-rtsp_transport', 'tcp'], timeoutMs: 300 });
  t.equal(slow.status, 'unknown');
  t.ok(Date.now() - t0 < 3000, `returned after ${Date.now() - t0} ms`);
  // ffmpeg-only input options (hardware decoding, pacing) do not make the probe fail.
  const mp4 = join(dir, 'probe.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=5', '-f', 'lavfi', '-i', 'sine', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', mp4]);
  const found = await probeAudio({ input: mp4, inputArgs: ['-re', '-thread_queue_size', '512', '-hwaccel', 'auto'] });
  t.same(found, { status: 'found', codec: 'aac', profile: 'LC', sampleRate: 44100, channels: 1 });
  // The source probes before its child starts, says so, and runs ffmpeg with -c:a copy.
  const src = new FfmpegSource(new Collector(), { input: mp4 });
  const said: string[] = [];
  src.on('audio', (p) => said.push(p.description));
  t.match(src.args.join(' '), /-c:a aac/, 'before the probe: the safe default');
  await src.run();
  t.same(said, ['audio: AAC LC copied']);
  t.equal(src.audioPlan?.mode, 'copy');
  t.match(src.args.join(' '), /-map 0:a:0\? -c:a copy -f mpegts/);
  t.throws(() => new FfmpegSource(new Collector(), { input: mp4, probeTimeoutMs: -1 }), { name: 'RangeError', message: /probeTimeoutMs/ });
});

/** ADTS frames of a byte string: [header, payload] pairs (ISO/IEC 14496-3 §1.A.2). */
function adtsFrames(bytes: Uint8Array): { header: Uint8Array; payload: Uint8Array }[] {
  const out: { header: Uint8Array; payload: Uint8Array }[] = [];
  let i = 0;
  while (i + 7 <= bytes.length) {
    if (bytes[i] !== 0xff || (bytes[i + 1] & 0xf6) !== 0xf0) throw new Error(`no ADTS syncword at ${i}`);
    const headerLength = (bytes[i + 1] & 0x01) === 1 ? 7 : 9; // protection_absent
    const frameLength = (bytes[i + 3] & 0x03) * 2048 + bytes[i + 4] * 8 + (bytes[i + 5] >> 5);
    out.push({ header: bytes.subarray(i, i + headerLength), payload: bytes.subarray(i + headerLength, i + frameLength) });
    i += frameLength;
  }
  return out;
}

const VIDEO = [
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=320x240:rate=25',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:sample_rate=48000',
  '-t',
  '8',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-g',
  '50',
  '-keyint_min',
  '50',
  '-sc_threshold',
  '0',
  '-bf',
  '0',
  '-pix_fmt',
  'yuv420p',
];

async function storedAudio(s3: TestS3, prefix: string): Promise<Uint8Array> {
  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
  // Segments only (a CLI run also writes the hour's index.json).
  const keys = (listed.Contents ?? [])
    .map((o) => o.Key!)
    .filter((k) => k.endsWith('.ts'))
    .sort();
  const chunks: Uint8Array[] = [];
  for (const key of keys) {
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const bytes = await got.Body!.transformToByteArray();
    for (const pes of demux(bytes)) if (pes.type === 'audio') chunks.push(pes.data);
  }
  client.destroy();
  return Buffer.concat(chunks);
}

async function upload(s3: TestS3, input: string, prefix: string, extra: string[] = []): Promise<{ code: number; out: string }> {
  let out = '';
  const w = { write: (s: string) => ((out += s), true) };
  const code = await runUpload(
    [
      '--input',
      input,
      '--encoder',
      'copy',
      ...extra,
      '--bucket',
      s3.bucket,
      '--prefix',
      prefix,
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--progress',
      'plain',
      '--start-time',
      '2026-11-22T03:00:00Z',
    ],
    { stdout: w, stderr: w, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
  );
  return { code, out };
}

t.test('MP4 with AAC, --encoder copy: every stored ADTS frame is the source frame, bit for bit', { skip: noFfmpeg }, async (t) => {
  const mp4 = join(dir, 'aac.mp4');
  ffmpeg([...VIDEO, '-c:a', 'aac', '-b:a', '96k', mp4]);
  ffmpeg(['-i', mp4, '-map', '0:a', '-c:a', 'copy', '-f', 'adts', join(dir, 'source.aac')]);
  const source = adtsFrames(readFileSync(join(dir, 'source.aac')));
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const r = await upload(s3, mp4, 'cams/aac');
  t.equal(r.code, 0, r.out);
  t.match(r.out, /camera aac: audio: AAC LC copied/, 'the progress output says it was copied');
  const stored = adtsFrames(await storedAudio(s3, 'cams/aac'));
  let identical = 0;
  for (let i = 0; i < Math.min(source.length, stored.length); i++) {
    if (Buffer.compare(source[i].payload, stored[i].payload) === 0 && Buffer.compare(source[i].header, stored[i].header) === 0) identical++;
  }
  t.comment(`AAC frames: ${identical} of ${source.length} source frames stored identical (${stored.length} stored)`);
  t.equal(stored.length, source.length, 'no frame lost or added');
  t.equal(identical, source.length, '100 % identical (header and payload)');
});

t.test('G.711 µ-law in Matroska: re-encoded to AAC at --audio-bitrate, and the progress output says so', { skip: noFfmpeg }, async (t) => {
  const mkv = join(dir, 'mulaw.mkv');
  ffmpeg([...VIDEO, '-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1', mkv]);
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const r = await upload(s3, mkv, 'cams/g711', ['--audio-bitrate', '48']);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /camera g711: audio: pcm_mulaw → AAC 48 kbit\/s/);
  const stored = adtsFrames(await storedAudio(s3, 'cams/g711'));
  // 8 s at 8 kHz is 62.5 AAC frames of 1024 samples.
  t.ok(stored.length >= 60 && stored.length <= 66, `${stored.length} AAC frames stored`);
  const h = stored[0].header;
  t.equal((h[2] >> 6) + 1, 2, 'AAC-LC (audioObjectType 2)');
  t.equal((h[2] >> 2) & 0x0f, 11, 'sampling_frequency_index 11 = 8000 Hz: the input rate is kept');
  const bits = stored.reduce((n, f) => n + (f.header.length + f.payload.length) * 8, 0);
  const kbps = bits / ((stored.length * 1024) / 8000) / 1000;
  t.comment(`re-encoded AAC: ${kbps.toFixed(1)} kbit/s`);
  // ffmpeg's AAC encoder treats -b:a as a ceiling for a pure tone at 8 kHz (27 kbit/s measured).
  t.ok(kbps > 8 && kbps <= 50, `bitrate within the 48 kbit/s asked for (${kbps.toFixed(1)})`);
});
