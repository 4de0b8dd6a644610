/**
 * What the browser tests share: H.264 segments to upload (our muxer, or ffmpeg's segment muxer with
 * S3HLS_SEGMENT_SOURCE=ffmpeg) and a headless Debian chromium through playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { HlsStream } from '../../src/stream/hls-stream.js';
import { twoSecondSegmentArgs } from '../helpers/fixtures.js';
import type { Segment } from '../../src/types.js';

/** Debian's chromium (apt-get install -y chromium); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** Seconds of video the segments cover (2-s GOPs: 12 segments). */
export const SECONDS = 24;

/** One finished segment, as it will be uploaded. */
export interface MadeSegment {
  readonly bytes: Uint8Array;
  readonly durationMs: number;
  readonly sequence: number;
  readonly discontinuity: boolean;
}

/** Segments from ffmpeg's own segment muxer (libx264 + AAC, 2-s GOPs). */
function segmentsFromFfmpeg(dir: string): MadeSegment[] {
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-nostdin',
    ...twoSecondSegmentArgs('640x360', SECONDS),
    '-segment_list',
    join(dir, 'list.csv'),
    '-segment_list_type',
    'csv',
    join(dir, 'seg%03d.ts'),
  ]);
  const rows = readFileSync(join(dir, 'list.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return rows.map(([name, start, end], i) => ({
    bytes: readFileSync(join(dir, name)),
    durationMs: Math.round((Number(end) - Number(start)) * 1000),
    sequence: i,
    discontinuity: i === 0,
  }));
}

/** Segments from our muxer (HlsStream), fed one access unit at a time from libx264 Annex B with AUDs. */
function segmentsFromMuxer(dir: string): MadeSegment[] {
  const path = join(dir, 'v.h264');
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25',
    '-t',
    String(SECONDS),
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
    '-x264-params',
    'aud=1',
    '-f',
    'h264',
    path,
  ]);
  const annexB = readFileSync(path);
  // Access units start at each AUD (nal_unit_type 9, H.264 §7.4.1.2.3), which x264 writes with a 4-byte start code.
  const starts: number[] = [];
  for (let i = annexB.indexOf(Buffer.of(0, 0, 0, 1, 0x09)); i !== -1; i = annexB.indexOf(Buffer.of(0, 0, 0, 1, 0x09), i + 5)) starts.push(i);
  const out: MadeSegment[] = [];
  const stream = new HlsStream({
    streamId: 'browser',
    poolBytes: 16 << 20,
    mediaTimeOriginMs: Date.now(),
    sink: {
      onSegment(seg: Segment) {
        out.push({ bytes: Buffer.concat(seg.parts), durationMs: Math.round(seg.durationTicks / 90), sequence: seg.sequence, discontinuity: seg.discontinuity });
        seg.release();
      },
    },
  });
  starts.forEach((s, i) => stream.putVideoFrame({ items: [{ part1: annexB.subarray(s, starts[i + 1] ?? annexB.length) }], pts90k: 90_000 + i * 3600 }));
  stream.finalize();
  return out;
}

/** The segment source of this test: switch here. */
export function makeSegments(dir: string): MadeSegment[] {
  return process.env['S3HLS_SEGMENT_SOURCE'] === 'ffmpeg' ? segmentsFromFfmpeg(dir) : segmentsFromMuxer(dir);
}

/** Launches chromium with a fresh profile (removed on close); `timezoneId` sets the viewer's zone. */
export async function launch(timezoneId?: string): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 's3hls-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...(timezoneId ? { timezoneId } : {}),
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true });
  };
  return context;
}
