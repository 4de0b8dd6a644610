/**
 * ffprobe without blocking the event loop (the playlist endpoint and s3rver run in the test process).
 * The async ffmpeg gate itself is `ffmpegGateAsync` in test/helpers/ffmpeg-gate.ts.
 */
import { spawn } from 'node:child_process';

/**
 * ffprobe's format duration of an input, without blocking.
 *
 * @param input - file or URL
 * @returns seconds
 */
export function probeDurationAsync(input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', '-protocol_whitelist', 'file,http,tcp', '-show_entries', 'format=duration', '-of', 'csv=p=0', input], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(Number(out.trim())) : reject(new Error(`ffprobe exited ${status}: ${err}`))));
  });
}
