/**
 * The ffmpeg validation gate of test/helpers/ffmpeg-gate.ts, run with an asynchronous spawn: the
 * helper's spawnSync blocks the event loop, so an HTTP input served by this same process (the
 * playlist endpoint, s3rver) would never answer. Same arguments, same pass rule.
 */
import { spawn } from 'node:child_process';
import type { GateResult } from '../helpers/ffmpeg-gate.js';

/**
 * Runs the gate on a URL without blocking.
 *
 * @param input - file or URL
 * @param extraInputArgs - options placed before `-i`
 * @param timeoutMs - kill ffmpeg after this long
 * @returns the gate result (`ok` when exit 0 and nothing printed)
 */
export function ffmpegGateAsync(input: string, extraInputArgs: readonly string[] = [], timeoutMs = 60_000): Promise<GateResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'warning', '-xerror', '-err_detect', 'explode', ...extraInputArgs, '-i', input, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ ok: status === 0 && stderr.trim() === '', status, stderr });
    });
  });
}

/**
 * ffprobe's format duration of an input, without blocking.
 *
 * @param input - file or URL
 * @returns seconds
 */
export function probeDurationAsync(input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', '-protocol_whitelist', 'file,http,tcp', '-show_entries', 'format=duration', '-of', 'csv=p=0', input], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(Number(out.trim())) : reject(new Error(`ffprobe exited ${status}: ${err}`))));
  });
}
