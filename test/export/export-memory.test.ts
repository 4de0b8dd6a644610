/**
 * Issue 12 §2's memory bound as a check that can fail: `s3hls export` (the built CLI, dist/cli/main.js)
 * runs as a child process over 5 minutes of stored 2 s 1080p ~5 Mbit/s H.264 + AAC segments (150
 * objects in s3rver, which stays in this process) and its peak RSS — VmHWM from /proc/<pid>/status,
 * the kernel's high-water mark — must stay under 150 MB. Before the fix (reused GET buffer, pinned
 * young generation, paced collections) the same run peaked at ~160-170 MB.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExportChild } from '../../bench/export-run.js';
import { hasFfmpeg } from '../helpers/fixtures.js';

const CLI = 'dist/cli/main.js';
const RSS_BOUND_MB = 150;

/** Newest modification time of the sources the exporting child runs (its command and src/export). */
function newestSource(): number {
  const files = ['src/cli/main.ts', 'src/cli/commands/export.ts', ...readdirSync('src/export').map((f) => join('src/export', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

if (!hasFfmpeg() || !existsSync('/proc/self/status')) {
  t.plan(0, 'needs ffmpeg and Linux /proc');
  process.exit(0);
}

// ~15 s on an idle 2-core machine; the bound is generous for a loaded one (2 MB/s at load 30).
t.setTimeout(300_000);

t.test('s3hls export of 5 min at 5 Mbit/s stays under 150 MB RSS (child VmHWM)', async (t) => {
  // npm test builds dist/ before the suite; a lone run (or sources newer than dist) builds it here.
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newestSource()) {
    t.equal(spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).status, 0, 'dist/ built');
  }
  const dir = mkdtempSync(join(tmpdir(), 's3hls-export-memory-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = await runExportChild({ segments: 150, cli: CLI, dir, nodeArgs: ['--openssl-legacy-provider'], timeoutMs: 180_000 });
  t.equal(f.exitCode, 0, f.stderr);
  t.ok(f.outputMB > f.inputMB * 0.9, `the whole range was written (${f.outputMB} MB of MP4 from ${f.inputMB} MB of TS)`);
  t.ok(f.peakRssMB > 40, `the sampler saw the child (${f.peakRssMB} MB)`);
  t.ok(f.peakRssMB < RSS_BOUND_MB, `peak RSS ${f.peakRssMB} MB < ${RSS_BOUND_MB} MB`);
  t.comment(`${f.inputMB} MB in ${f.seconds} s = ${f.MBps} MB/s, peak RSS ${f.peakRssMB} MB, load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
});
