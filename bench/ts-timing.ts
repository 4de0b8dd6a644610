/**
 * Issue 11's timing table, measured: our stored segments against FFmpeg's own HLS muxer on the same
 * input, read by the suite's independent T-STD reader (test/checker/tstd-timing.ts) and, when Debian's
 * tstools is installed, by `tsreport -b` as a second opinion.
 *
 * Inputs (made here with ffmpeg): an MP4 of 1280x720 H.264 (25 fps, GOP 50, no B-frames) + 96 kbit/s
 * 48 kHz AAC, 8 s; and the same video as raw Annex B. Ours: the MP4 through the ffmpeg source
 * (`encoder: 'copy'`), the raw file through the Annex B source at 25 fps, each into an HlsStream with
 * the default options (2 s target, 700 ms mux delay). FFmpeg: `-c copy -f hls -hls_time 2`.
 *
 * Run: `npx tsc -p tsconfig.bench.json && node build/bench/ts-timing.js`
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnexBSource } from '../src/sources/annexb-source.js';
import { FfmpegSource } from '../src/sources/ffmpeg-source.js';
import { HlsStream } from '../src/stream/hls-stream.js';
import type { Segment } from '../src/types.js';
import { measureTiming, type TimingReport } from '../test/checker/tstd-timing.js';

const dir = mkdtempSync(join(tmpdir(), 's3hls-ts-timing-'));

function ff(args: string[]): void {
  execFileSync('ffmpeg', ['-y', '-hide_banner', '-nostdin', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Collects segment bytes in order. */
function collector(): { segments: Uint8Array[]; sink: { onSegment(s: Segment): void } } {
  const segments: Uint8Array[] = [];
  return {
    segments,
    sink: {
      onSegment(s: Segment): void {
        segments.push(Buffer.concat(s.parts.map((p) => Buffer.from(p))));
        s.release();
      },
    },
  };
}

async function ours(input: string, raw: boolean): Promise<Uint8Array[]> {
  const { segments, sink } = collector();
  const stream = new HlsStream({ streamId: 'bench', sink });
  if (raw) await new AnnexBSource(stream, { input, fps: { num: 25, den: 1 } }).run();
  else {
    const target = {
      putVideoFrame: stream.putVideoFrame.bind(stream),
      putAudioFrame: stream.putAudioFrame.bind(stream),
      markDiscontinuity: () => stream.markDiscontinuity('source-restart'),
    };
    await new FfmpegSource(target, { input, encoder: 'copy' }).run();
  }
  stream.finalize();
  return segments;
}

function ffmpegHls(input: string, name: string, inputArgs: string[] = []): Uint8Array[] {
  const out = join(dir, name);
  execFileSync('mkdir', ['-p', out]);
  ff([...inputArgs, '-i', input, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_segment_filename', join(out, 's%03d.ts'), join(out, 'index.m3u8')]);
  return readdirSync(out)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => readFileSync(join(out, f)));
}

/** tsreport -b on the concatenated segments: its per-stream min/max PCR-to-DTS and DTS < PCR count. */
function tsreport(segments: Uint8Array[], name: string): string {
  if (spawnSync('tsreport', ['-h'], { stdio: 'ignore' }).error) return 'tsreport not installed';
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, Buffer.concat(segments));
  const r = spawnSync('tsreport', ['-b', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const text = r.stdout + r.stderr;
  const late = text.match(/DTS < PCR[^\n]*/g) ?? [];
  const mins = [...text.matchAll(/Stream \d+: PID (\d+)[^]*?Minimum difference was (-?\d+)t/g)].map((m) => `PID ${m[1]} min PCR→DTS ${Math.round(Number(m[2]) / 90)} ms`);
  return `${mins.join(', ')}; ${late.length > 0 ? late.join(' ') : 'no DTS < PCR'}`;
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${Math.round(v)} ms` : '-';
}

function rowsOf(mp4: TimingReport, raw: TimingReport): string[] {
  return [
    `${mp4.lateAudioPes} of ${mp4.audioPes}${mp4.lateAudioPes > 0 ? `, up to ${ms(-mp4.minAudioMarginMs)} late` : ''}`,
    `${ms(mp4.minVideoMarginMs)} (${ms(raw.minVideoMarginMs)} on raw Annex B input)`,
    ms(mp4.minAudioMarginMs),
    raw.pcrRepeats === 0 ? 'never' : `${raw.pcrRepeats} times`,
    `${mp4.maxCarriedAudioMs > 0 ? ms(mp4.maxCarriedAudioMs) : '0'} (audio starts ${mp4.maxAudioStartOffsetMs.toFixed(1)} ms from its video at most; ${mp4.audioGaps} gaps, ${mp4.audioDuplicates} duplicates)`,
  ];
}

async function main(): Promise<void> {
  const mp4 = join(dir, 'in.mp4');
  const h264 = join(dir, 'in.h264');
  ff([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1280x720:rate=25',
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
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    mp4,
  ]);
  ff(['-i', mp4, '-map', '0:v', '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', h264]);
  const ourMp4 = await ours(mp4, false);
  const ourRaw = await ours(h264, true);
  const ffMp4 = ffmpegHls(mp4, 'ff-mp4');
  const ffRaw = ffmpegHls(h264, 'ff-raw', ['-f', 'h264', '-framerate', '25']);
  const o = rowsOf(measureTiming(ourMp4), measureTiming(ourRaw));
  const f = rowsOf(measureTiming(ffMp4), measureTiming(ffRaw));
  const names = [
    'audio PES arriving after their DTS (DTS < PCR)',
    'smallest video DTS − PCR',
    'smallest audio DTS − PCR',
    'PCR standing still while the stream advances (raw Annex B start)',
    'audio of the previous segment carried into the next',
  ];
  console.log('| measured on stored segments | s3hls | ffmpeg hls muxer, same input |\n|---|---|---|');
  names.forEach((n, i) => console.log(`| ${n} | ${o[i]} | ${f[i]} |`));
  console.log(`\nsegments: ours ${ourMp4.length} (mp4) / ${ourRaw.length} (raw), ffmpeg ${ffMp4.length} / ${ffRaw.length}`);
  console.log(`tsreport ours (mp4): ${tsreport(ourMp4, 'ours-mp4')}`);
  console.log(`tsreport ffmpeg (mp4): ${tsreport(ffMp4, 'ff-mp4')}`);
  console.log(`tsreport ours (raw): ${tsreport(ourRaw, 'ours-raw')}`);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
