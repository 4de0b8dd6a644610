/**
 * The ffmpeg command line of the ffmpeg source: input options, the video encoder, the audio (AAC
 * copied or re-encoded, see ffmpeg-audio.ts), and MPEG-TS on stdout. Pure, so the tests can assert
 * the arguments without spawning anything.
 */
import { audioArgs, checkAudioBitrate, planAudio, type AudioPlan, type AudioPlanOptions } from './ffmpeg-audio.js';

/** Video encoders the ffmpeg source can ask for. */
export type FfmpegEncoder = 'copy' | 'libx264' | 'h264_nvenc';

/** Every {@link FfmpegEncoder}, for argument validation. */
export const FFMPEG_ENCODERS: readonly FfmpegEncoder[] = ['copy', 'libx264', 'h264_nvenc'];

/** What {@link ffmpegArgs} needs. */
export interface FfmpegArgsOptions extends AudioPlanOptions {
  /** The `-i` argument: a file, a URL (`rtsp://…`), a device (`/dev/video0`), a lavfi graph. */
  readonly input: string;
  /** Options placed before `-i` (e.g. `['-f', 'lavfi']`, `['-rtsp_transport', 'tcp']`). @defaultValue `[]` */
  readonly inputArgs?: readonly string[];
  /** @defaultValue `'copy'` */
  readonly encoder?: FfmpegEncoder;
  /** Replaces the encoder's default options (see {@link encoderDefaults}). */
  readonly encoderArgs?: readonly string[];
  /** Seconds between forced keyframes when encoding (segments are cut on keyframes only). @defaultValue 2 */
  readonly keyframeSeconds?: number;
  /** Map the first audio stream, when present: AAC copied, other codecs re-encoded (see `audioMode`). @defaultValue true */
  readonly audio?: boolean;
  /** Read the input at its native rate (`-re`): a file played as a live camera. @defaultValue false */
  readonly realtime?: boolean;
  /** Loop the input forever (`-stream_loop -1`). @defaultValue false */
  readonly loop?: boolean;
}

/**
 * The encoder's default options: low-latency, no B-frames (live), keyframes every
 * `keyframeSeconds` so segment cuts land on the target.
 *
 * @param encoder - the encoder
 * @param keyframeSeconds - seconds between forced keyframes (ignored for `copy`)
 * @returns the arguments after `-c:v <encoder>`
 */
export function encoderDefaults(encoder: FfmpegEncoder, keyframeSeconds: number): string[] {
  const forceKeys = ['-force_key_frames', `expr:gte(t,n_forced*${keyframeSeconds})`];
  switch (encoder) {
    case 'copy':
      return [];
    case 'libx264':
      return ['-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-sc_threshold', '0', ...forceKeys];
    case 'h264_nvenc':
      // -forced-idr makes the forced keyframes IDRs (NVENC otherwise emits non-IDR I-frames).
      return ['-preset', 'p4', '-tune', 'll', '-bf', '0', '-pix_fmt', 'yuv420p', '-forced-idr', '1', ...forceKeys];
  }
}

/**
 * Builds the ffmpeg arguments.
 *
 * @param options - input, encoder, audio
 * @param audio - what to do with the audio, from the probe (ffmpeg-audio.ts `planAudio`)
 *   @defaultValue re-encode (what works for any input codec when nothing was probed)
 * @returns argv for `spawn(ffmpegPath, argv)`
 * @throws TypeError when `input` is empty or `encoder` unknown; RangeError for a bad
 *   `keyframeSeconds` or `audioBitrateKbps`
 */
export function ffmpegArgs(options: FfmpegArgsOptions, audio?: AudioPlan): string[] {
  const { input } = options;
  if (typeof input !== 'string' || input.length === 0) {
    throw new TypeError(`input must be a non-empty string, got ${JSON.stringify(input)}`);
  }
  const encoder = options.encoder ?? 'copy';
  if (!FFMPEG_ENCODERS.includes(encoder)) {
    throw new TypeError(`encoder must be one of ${FFMPEG_ENCODERS.join(', ')}, got ${JSON.stringify(encoder)}`);
  }
  const keyframeSeconds = options.keyframeSeconds ?? 2;
  if (!(keyframeSeconds > 0 && keyframeSeconds <= 60)) {
    throw new RangeError(`keyframeSeconds must be in (0, 60], got ${keyframeSeconds}`);
  }
  checkAudioBitrate(options.audioBitrateKbps);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (options.realtime) args.push('-re');
  if (options.loop) args.push('-stream_loop', '-1');
  args.push(...(options.inputArgs ?? []), '-i', input, '-map', '0:v:0');
  args.push('-c:v', encoder, ...(options.encoderArgs ?? encoderDefaults(encoder, keyframeSeconds)));
  args.push(...audioArgs(audio ?? planAudio({ status: 'unknown' }, options)));
  // Small PES for audio keeps its latency close to video's; flush_packets sends each packet at once.
  args.push('-f', 'mpegts', '-flush_packets', '1', 'pipe:1');
  return args;
}

/**
 * True when an input is live (runs until stopped; restarted when it ends): a network URL or a
 * device. Files and lavfi graphs end.
 *
 * @param input - the `-i` argument
 * @returns whether to treat the input as a live camera
 */
export function looksLive(input: string): boolean {
  return /^(rtsp|rtsps|rtmp|rtmps|srt|udp|rtp|tcp|http|https):\/\//i.test(input) || input.startsWith('/dev/');
}
