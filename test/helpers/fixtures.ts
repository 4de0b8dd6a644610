/**
 * Real H.264/AAC streams made by Debian's ffmpeg (libx264) on first use and cached for the run.
 * The recipes are listed in test/fixtures/README.md. Generation goes to a temporary name and is
 * renamed into place, so parallel test files may race harmlessly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where generated fixtures are cached (per machine, shared by test files). */
export const FIXTURE_DIR = join(tmpdir(), 's3hls-fixtures-v2');

/** True when ffmpeg is on PATH. */
export function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Fixture names and the ffmpeg arguments (after `-y -hide_banner -v error`) that make them. */
export const RECIPES = {
  /** 640x360 baseline, 25 fps, 4 s, GOP 25, no B-frames, AUDs. */
  'baseline.h264': [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25',
    '-t',
    '4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-profile:v',
    'baseline',
    '-g',
    '25',
    '-keyint_min',
    '25',
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
  ],
  /** 640x360 main, 4 slices per frame, SEI, no AUDs, 25 fps, 4 s. */
  'main-slices.h264': [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25',
    '-t',
    '4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-profile:v',
    'main',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-x264-params',
    'slices=4',
    '-f',
    'h264',
  ],
  /** 640x360 High profile (veryfast: ultrafast would fall back to Main) with 2 B-frames, in MPEG-TS so ffprobe gives the real PTS/DTS (see `highBframes`). */
  'high-bframes.ts': [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25',
    '-t',
    '4',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
    '-bf',
    '2',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mpegts',
  ],
  /** 1920x1080 high, 25 fps, 10 s, ~5 Mbit/s, GOP 50. */
  '1080p.h264': [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-t',
    '10',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-b:v',
    '5M',
    '-maxrate',
    '5M',
    '-bufsize',
    '5M',
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
    '-f',
    'h264',
  ],
  /** 48 kHz stereo AAC-LC in ADTS, 4 s. */
  'sine.aac': ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-ac', '2', '-t', '4', '-c:a', 'aac', '-b:a', '96k', '-f', 'adts'],
} as const;

/** A fixture's name. */
export type FixtureName = keyof typeof RECIPES;

/** Path of a fixture, generating it first when needed. Throws when ffmpeg is missing. */
export function fixturePath(name: FixtureName): string {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const path = join(FIXTURE_DIR, name);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.tmp`;
    const format = RECIPES[name];
    execFileSync('ffmpeg', ['-y', '-hide_banner', '-nostdin', '-v', 'error', ...format, tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
    renameSync(tmp, path);
  }
  return path;
}

/** A fixture's bytes. */
export function fixture(name: FixtureName): Buffer {
  return readFileSync(fixturePath(name));
}

/** One packet as ffprobe reports it. */
export interface ProbePacket {
  readonly pts: number;
  readonly dts: number;
  readonly keyframe: boolean;
  readonly size: number;
}

/** ffprobe's packet list (first video or audio stream) of a file, in file order. */
export function probePackets(path: string, stream: 'v:0' | 'a:0' = 'v:0'): ProbePacket[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts,dts,flags,size', '-of', 'json', path], { maxBuffer: 64 << 20 });
  const json = JSON.parse(out.toString()) as { packets: { pts?: string | number; dts?: string | number; flags: string; size: string | number }[] };
  return json.packets.map((p) => ({ pts: Number(p.pts), dts: Number(p.dts), keyframe: p.flags.startsWith('K'), size: Number(p.size) }));
}

/**
 * The high-profile B-frame fixture as raw Annex B plus the true PTS/DTS of each access unit (decode
 * order), taken from the MPEG-TS ffmpeg wrote: the test gives these timestamps to the muxer.
 */
export function highBframes(): { annexB: Buffer; packets: ProbePacket[] } {
  const ts = fixturePath('high-bframes.ts');
  const h264 = join(FIXTURE_DIR, 'high-bframes.h264');
  if (!existsSync(h264)) {
    const tmp = `${h264}.${process.pid}.tmp`;
    execFileSync('ffmpeg', ['-y', '-hide_banner', '-nostdin', '-v', 'error', '-i', ts, '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', tmp], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    renameSync(tmp, h264);
  }
  return { annexB: readFileSync(h264), packets: probePackets(ts) };
}

/**
 * ffmpeg arguments for the suite's clip cut into 2-s MPEG-TS segments by ffmpeg's own segment
 * muxer: testsrc2 and a 440 Hz tone, libx264 with 2-s GOPs and no B-frames, AAC at 64 kbit/s. The
 * caller appends the output pattern (and any `-segment_list` options).
 *
 * @param size - picture size, e.g. `320x180`
 * @param seconds - clip length
 * @returns the arguments before the output
 */
export function twoSecondSegmentArgs(size: string, seconds: number): string[] {
  return [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=25`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
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
    '64k',
    '-f',
    'segment',
    '-segment_time',
    '2',
    '-segment_format',
    'mpegts',
  ];
}
