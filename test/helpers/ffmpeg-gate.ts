/**
 * The ffmpeg validation gate (../shared/TESTING.md): a segment passes when
 * `ffmpeg -hide_banner -nostdin -v warning -xerror -err_detect explode -i seg.ts -f null -`
 * exits 0 and prints nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The result of running the gate: `ok` plus whatever ffmpeg printed. */
export interface GateResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly stderr: string;
}

/** Runs the gate on a file or URL (a playlist works too: `-allowed_extensions` is not needed for .ts). */
export function ffmpegGateFile(input: string, extraInputArgs: readonly string[] = []): GateResult {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'warning', '-xerror', '-err_detect', 'explode', ...extraInputArgs, '-i', input, '-f', 'null', '-'], { encoding: 'utf8', timeout: 120_000 });
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
