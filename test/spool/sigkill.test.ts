/**
 * A child process writing to the spool is killed with SIGKILL (for real) at some moment of its
 * writes; a new DiskSpool.open on the same directory must recover every segment whose write had
 * completed, byte-exact, must never take an interrupted (temp) file for a segment, and must find no
 * damaged file (rename after fsync makes each file all-or-nothing).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskSpool } from '../../src/spool/disk-spool.js';
import { TS_LOADER_ARGS } from '../helpers/ts-loader.js';
import { patternBytes } from './spool-segment.js';

const CHILD = fileURLToPath(new URL('./fixtures/spool-writer-child.ts', import.meta.url));
// tap runs .ts through its own loader; the child gets the same one.
const LOADER = TS_LOADER_ARGS;

/** Runs the child until `killAfterWritten` writes completed (plus a few ms), then SIGKILLs it. */
function runAndKill(dir: string, killAfterWritten: number, extraMs: number): Promise<{ started: Set<number>; written: Set<number>; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...LOADER, CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = new Set<number>();
    const written = new Set<number>();
    let buf = '';
    let armed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [what, n] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        (what === 'started' ? started : written).add(Number(n));
      }
      if (!armed && written.size >= killAfterWritten) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ started, written, signal }));
  });
}

t.test('loader found', async (t) => {
  t.equal(LOADER.length, 1, 'the TypeScript loader (tsx) is in execArgv');
});

for (const [round, extraMs] of [
  [1, 0],
  [2, 3],
  [3, 11],
] as const) {
  t.test(`SIGKILL mid-run (round ${round}): every completed write recovered, nothing half-written taken`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 's3hls-spool-kill-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { started, written, signal } = await runAndKill(dir, 15, extraMs);
    t.equal(signal, 'SIGKILL', 'the child was killed, not exited');
    const tempsLeft = readdirSync(dir).filter((n) => n.endsWith('.tmp')).length;
    t.comment(`started ${started.size}, written ${written.size}, temp files left by the kill: ${tempsLeft}`);
    const spool = await DiskSpool.open({ directory: dir, quotaBytes: 2_000_000_000 });
    const st = spool.stats();
    t.equal(st.damaged, 0, 'no damaged file');
    t.equal(st.tempFilesRemoved, tempsLeft, 'interrupted writes deleted on open');
    t.same(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temp file left after open',
    );
    const recovered = new Set(spool.pending().map((e) => e.segment.sequence));
    for (const s of written) if (!recovered.has(s)) t.fail(`segment ${s} was written (fsync'd, renamed) but not recovered`);
    for (const s of recovered) if (!started.has(s)) t.fail(`segment ${s} recovered but never started`);
    t.ok(recovered.size >= written.size, `recovered ${recovered.size} ≥ written ${written.size}`);
    t.ok(recovered.size <= written.size + 2, 'at most the two writes in flight beyond those reported');
    let exact = 0;
    for (const e of spool.pending()) {
      const bytes = await spool.read(e);
      const s = e.segment.sequence;
      if (bytes.equals(patternBytes((200 + (s % 7) * 50) * 188, s + 1)) && e.key === `cams/cam1/k-${s}.ts`) exact++;
    }
    t.equal(exact, recovered.size, 'every recovered segment byte-exact with its key');
  });
}
