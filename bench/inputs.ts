/**
 * The benchmark's inputs, made by ffmpeg (libx264, libavcodec AAC) on first use and cached:
 * a 1080p 25 fps ~5 Mbit/s Annex B file (GOP 2 s, no B-frames, as an IP camera) and a 48 kHz AAC-LC
 * ADTS file of the same length. src/ cannot use the test fixtures, so the recipes live here too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the inputs are cached. */
export const BENCH_DIR = join(tmpdir(), 's3hls-bench-v1');

/** Seconds encoded once; the file used is that encoding repeated {@link REPEAT} times (closed GOPs concatenate cleanly). */
const ENCODED_SECONDS = 20;
const REPEAT = 4;

/** Seconds of media in each input file. */
export const INPUT_SECONDS = ENCODED_SECONDS * REPEAT;

/** The ffmpeg arguments of the video input (after `ffmpeg -y -hide_banner -nostdin -v error`). */
export const VIDEO_RECIPE = [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=1920x1080:rate=25`,
  '-t',
  String(ENCODED_SECONDS),
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
] as const;

/** The ffmpeg arguments of the audio input. */
export const AUDIO_RECIPE = [
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:sample_rate=48000',
  '-ac',
  '2',
  '-t',
  String(INPUT_SECONDS),
  '-c:a',
  'aac',
  '-b:a',
  '128k',
  '-f',
  'adts',
] as const;

/** True when ffmpeg is on PATH. */
export function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

function make(name: string, args: readonly string[], repeat: number): string {
  mkdirSync(BENCH_DIR, { recursive: true });
  const path = join(BENCH_DIR, name);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  execFileSync('ffmpeg', ['-y', '-hide_banner', '-nostdin', '-v', 'error', ...args, tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (repeat > 1) {
    const once = readFileSync(tmp);
    writeFileSync(tmp, Buffer.concat(Array.from({ length: repeat }, () => once)));
  }
  renameSync(tmp, path);
  return path;
}

/**
 * Paths of the inputs, generating them when missing (~10-20 s once).
 *
 * @returns the Annex B and ADTS file paths
 * @throws Error from ffmpeg when it is missing or fails
 */
export function benchInputs(): { videoPath: string; audioPath: string } {
  return {
    videoPath: make('1080p-5M.h264', VIDEO_RECIPE, REPEAT),
    audioPath: make('sine-48k.aac', AUDIO_RECIPE, 1),
  };
}
