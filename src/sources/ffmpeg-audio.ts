/**
 * Audio of the ffmpeg source: what the input carries (ffprobe, bounded in time) and what to do with
 * it. AAC is copied bit-exact (`-c:a copy`: ffmpeg's MPEG-TS muxer adds the ADTS headers); anything
 * else an IP camera sends (G.711 µ-law/A-law, Opus, MP3, PCM) is encoded to AAC-LC, the only audio
 * the muxer carries. This is what Frigate's and MediaMTX's recommended recording presets do.
 */
import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { redactUrlCredentials } from '../redact.js';

/** What ffprobe reported about the input's first audio stream. */
export interface ProbedAudio {
  /** `found`: an audio stream; `none`: the input has no audio; `unknown`: the probe failed or timed out. */
  readonly status: 'found' | 'none' | 'unknown';
  /** ffmpeg's codec name (`aac`, `pcm_mulaw`, `pcm_alaw`, `opus`, `mp3`, …), when found. */
  readonly codec?: string | undefined;
  /** ffmpeg's profile name (`LC`, `HE-AAC`, …), when reported. */
  readonly profile?: string | undefined;
  readonly sampleRate?: number | undefined;
  readonly channels?: number | undefined;
  /** Why the probe gave no answer (`unknown` only): ffprobe's last error line or the timeout. */
  readonly reason?: string | undefined;
}

/** What the source does with the input's audio. */
export interface AudioPlan {
  /** `copy`: AAC passed through; `encode`: re-encoded to AAC-LC; `none`: no audio mapped. */
  readonly mode: 'copy' | 'encode' | 'none';
  /** Re-encoding bitrate, kbit/s (`encode` only). */
  readonly bitrateKbps?: number | undefined;
  /** One line for the progress output, e.g. `audio: AAC copied`, `audio: pcm_mulaw → AAC 64 kbit/s`. */
  readonly description: string;
}

/** What {@link planAudio} needs from the source's options. */
export interface AudioPlanOptions {
  /** Map the first audio stream at all. @defaultValue true */
  readonly audio?: boolean | undefined;
  /**
   * `auto`: copy AAC, encode everything else. `encode`: always re-encode to AAC-LC (e.g. to cap the
   * bitrate of a 320 kbit/s source). @defaultValue 'auto'
   */
  readonly audioMode?: 'auto' | 'encode' | undefined;
  /**
   * Bitrate of re-encoded audio, kbit/s (8..512). @defaultValue 64 for mono input (G.711 cameras:
   * 64 kbit/s AAC-LC is transparent for 8 kHz speech), 128 for stereo or when the probe failed
   */
  readonly audioBitrateKbps?: number | undefined;
}

/** Codec names whose bits the muxer carries as they are (MPEG-4 AAC in ADTS after ffmpeg's muxer). */
const COPYABLE = new Set(['aac']);

/** ffprobe's bound when the caller gives none: an RTSP camera answers DESCRIBE well within it. */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/**
 * Checks `audioBitrateKbps`.
 * @param kbps - the option value
 * @throws RangeError naming the option and the value
 */
export function checkAudioBitrate(kbps: number | undefined): void {
  if (kbps !== undefined && !(Number.isInteger(kbps) && kbps >= 8 && kbps <= 512)) {
    throw new RangeError(`audioBitrateKbps must be an integer in 8..512 (kbit/s), got ${kbps}`);
  }
}

/**
 * Decides copy or encode from the probe.
 *
 * @param probed - what ffprobe said (or `unknown`)
 * @param options - audio on/off, mode, bitrate
 * @returns the plan with its progress line
 */
export function planAudio(probed: ProbedAudio, options: AudioPlanOptions): AudioPlan {
  checkAudioBitrate(options.audioBitrateKbps);
  if (options.audio === false) return { mode: 'none', description: 'audio: off (--no-audio)' };
  if (probed.status === 'none') return { mode: 'none', description: 'audio: none in the input' };
  const codec = probed.codec ?? 'unknown codec';
  const copyable = probed.status === 'found' && COPYABLE.has(codec);
  if (copyable && (options.audioMode ?? 'auto') === 'auto') {
    const profile = probed.profile ? ` ${probed.profile}` : '';
    return { mode: 'copy', description: `audio: AAC${profile} copied` };
  }
  const bitrateKbps = options.audioBitrateKbps ?? (probed.channels === 1 ? 64 : 128);
  const from = probed.status === 'found' ? codec : `codec unknown (${probed.reason ?? 'probe failed'})`;
  return { mode: 'encode', bitrateKbps, description: `audio: ${from} → AAC ${bitrateKbps} kbit/s` };
}

/**
 * The ffmpeg output options for a plan.
 * @param plan - from {@link planAudio}
 * @returns the arguments after the video options
 */
export function audioArgs(plan: AudioPlan): string[] {
  // "?" keeps inputs whose audio vanished (a camera reconfigured between probe and start) working.
  if (plan.mode === 'copy') return ['-map', '0:a:0?', '-c:a', 'copy'];
  if (plan.mode === 'encode') return ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', `${plan.bitrateKbps ?? 128}k`];
  return ['-an'];
}

/**
 * The ffprobe next to a given ffmpeg (`/opt/ff/bin/ffmpeg` → `/opt/ff/bin/ffprobe`), or `ffprobe`
 * on PATH.
 * @param ffmpegPath - the source's ffmpeg
 * @returns the ffprobe to run
 */
export function ffprobeBeside(ffmpegPath: string | undefined): string {
  if (ffmpegPath === undefined || !ffmpegPath.includes('/')) return 'ffprobe';
  const name = basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe');
  return join(dirname(ffmpegPath), name === basename(ffmpegPath) ? 'ffprobe' : name);
}

/** ffmpeg input options ffprobe refuses ("Option not found"), with how many values follow each. */
const FFMPEG_ONLY_INPUT_OPTIONS: ReadonlyMap<string, number> = new Map([
  ['-re', 0],
  ['-stream_loop', 1],
  ['-thread_queue_size', 1],
  ['-hwaccel', 1],
  ['-hwaccel_device', 1],
  ['-hwaccel_output_format', 1],
  ['-itsoffset', 1],
  ['-itsscale', 1],
  ['-ss', 1],
  ['-sseof', 1],
  ['-t', 1],
  ['-to', 1],
  ['-readrate', 1],
  ['-c', 1],
  ['-codec', 1],
  ['-vcodec', 1],
  ['-acodec', 1],
  ['-c:v', 1],
  ['-c:a', 1],
  ['-codec:v', 1],
  ['-codec:a', 1],
]);

/**
 * The source's input options without those only ffmpeg takes (decoder choice, hardware decoding,
 * seeking, pacing): format and protocol options (`-f`, `-rtsp_transport`, `-fflags`) stay.
 *
 * @param inputArgs - the options before `-i`
 * @returns the options to give ffprobe
 */
export function probeInputArgs(inputArgs: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < inputArgs.length; i++) {
    const skip = FFMPEG_ONLY_INPUT_OPTIONS.get(inputArgs[i]);
    if (skip === undefined) out.push(inputArgs[i]);
    else i += skip;
  }
  return out;
}

/** What {@link probeAudio} needs. */
export interface ProbeAudioOptions {
  readonly input: string;
  /** The source's input options (`-f lavfi`, `-rtsp_transport tcp`): ffprobe takes the same. */
  readonly inputArgs?: readonly string[] | undefined;
  /** @defaultValue 'ffprobe' */
  readonly ffprobePath?: string | undefined;
  /** @defaultValue {@link DEFAULT_PROBE_TIMEOUT_MS} */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface FfprobeJson {
  streams?: { codec_name?: string; profile?: string; sample_rate?: string; channels?: number }[];
}

/**
 * Asks ffprobe for the input's first audio stream. Never throws and never waits longer than
 * `timeoutMs`: a failed probe is `unknown` (the caller then re-encodes, which works for any codec).
 *
 * @param options - input, ffprobe, bound
 * @returns what was found
 */
export function probeAudio(options: ProbeAudioOptions): Promise<ProbedAudio> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const args = [
    '-hide_banner',
    '-v',
    'error',
    ...probeInputArgs(options.inputArgs ?? []),
    '-select_streams',
    'a:0',
    '-show_entries',
    'stream=codec_name,profile,sample_rate,channels',
    '-of',
    'json',
    '-i',
    options.input,
  ];
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let settled = false;
    const finish = (r: ProbedAudio): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const child = spawn(options.ffprobePath ?? 'ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ status: 'unknown', reason: `ffprobe gave no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish({ status: 'unknown', reason: 'stopped' });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-2000)));
    child.once('error', (e) => finish({ status: 'unknown', reason: `ffprobe: ${e.message}` }));
    child.once('close', (code) => {
      // ffprobe names the input in its errors (`rtsp://user:pw@cam: Connection refused`): redacted.
      const lastLine = redactUrlCredentials(err.trim().split('\n').pop() ?? '');
      if (code !== 0) return finish({ status: 'unknown', reason: lastLine || `ffprobe exited with code ${code}` });
      finish(parseProbe(out));
    });
  });
}

/**
 * ffprobe's JSON → {@link ProbedAudio}.
 * @param json - `-of json` output of `-select_streams a:0 -show_entries stream=…`
 * @returns `found` with the fields, `none` for no stream, `unknown` for output that is not JSON
 */
export function parseProbe(json: string): ProbedAudio {
  let parsed: FfprobeJson;
  try {
    parsed = JSON.parse(json) as FfprobeJson;
  } catch {
    return { status: 'unknown', reason: 'ffprobe output is not JSON' };
  }
  const s = parsed.streams?.[0];
  if (s === undefined) return { status: 'none' };
  const rate = Number(s.sample_rate);
  return {
    status: 'found',
    codec: s.codec_name ?? 'unknown',
    profile: s.profile && s.profile !== 'unknown' ? s.profile : undefined,
    sampleRate: Number.isFinite(rate) && rate > 0 ? rate : undefined,
    channels: typeof s.channels === 'number' ? s.channels : undefined,
  };
}
