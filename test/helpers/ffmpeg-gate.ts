/**
 * The ffmpeg validation gate (../shared/TESTING.md): a segment passes when
 * `ffmpeg -hide_banner -nostdin -v warning -xerror -err_detect explode -i seg.ts -f null -`
 * exits 0 and prints nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The result of running the gate: `ok` plus whatever ffmpeg printed. */
export interface GateResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly stderr: string;
}

/** The gate's command line for one input. */
function gateArgs(input: string, extraInputArgs: readonly string[]): string[] {
  return ['-hide_banner', '-nostdin', '-v', 'warning', '-xerror', '-err_detect', 'explode', ...extraInputArgs, '-i', input, '-f', 'null', '-'];
}

/** Input options for reading an HLS playlist and its segments over http. */
export const HTTP_INPUT_ARGS: readonly string[] = ['-protocol_whitelist', 'file,http,tcp'];

/**
 * Runs the gate without blocking the event loop: needed when the input is served by this same
 * process (s3rver, the playlist endpoint), which a spawnSync would freeze.
 */
export function ffmpegGateAsync(input: string, extraInputArgs: readonly string[] = [], timeoutMs = 60_000): Promise<GateResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', gateArgs(input, extraInputArgs), { stdio: ['ignore', 'ignore', 'pipe'] });
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

/** Runs the gate on a file or URL (a playlist works too: `-allowed_extensions` is not needed for .ts). */
export function ffmpegGateFile(input: string, extraInputArgs: readonly string[] = []): GateResult {
  const r = spawnSync('ffmpeg', gateArgs(input, extraInputArgs), { encoding: 'utf8', timeout: 120_000 });
  return { ok: r.status === 0 && r.stderr.trim() === '', status: r.status, stderr: r.stderr };
}

/** Runs the gate on bytes (written to a temporary .ts file). */
export function ffmpegGate(bytes: Uint8Array | readonly Uint8Array[]): GateResult {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-gate-'));
  try {
    const path = join(dir, 'seg.ts');
    const parts = bytes instanceof Uint8Array ? [bytes] : bytes;
    writeFileSync(path, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
    return ffmpegGateFile(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
