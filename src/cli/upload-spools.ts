/**
 * The disk spools of an `s3hls upload` run (`--spool`, cameras.json `spool`; docs/spool.md): opened
 * and locked before any camera starts, written and released at the end.
 */
import type { DiskSpool } from '../spool/disk-spool.js';
import { openSpoolLocked } from '../spool/spool-config.js';
import { SpoolLockedError } from '../spool/spool-lock.js';
import { CliExit, ExitCode } from './exit-codes.js';
import { formatBytes } from './progress.js';
import type { Run } from './upload-run.js';

/** Opens (and locks) every spool directory of the plan before any camera starts. */
export async function openSpools(run: Run): Promise<void> {
  for (const cam of run.plan.cameras) {
    if (cam.spool === undefined || run.spools.has(cam.spool.dir)) continue;
    const dir = cam.spool.dir;
    let spool: DiskSpool;
    try {
      spool = await openSpoolLocked({ dir, maxBytes: cam.spool.maxBytes }, { onDamaged: (r) => run.progress.line(r.message, true) });
    } catch (e) {
      // Spools opened already are released (their locks), then the run ends with one line.
      await closeSpools(run);
      if (e instanceof SpoolLockedError) throw new CliExit(ExitCode.Usage, e.message);
      throw new CliExit(ExitCode.Usage, `--spool ${dir}: ${(e as Error).message}`);
    }
    run.spools.set(dir, spool);
    const st = spool.stats();
    if (st.files > 0) run.progress.line(`spool ${dir}: ${st.files} segment(s) (${formatBytes(st.bytes)}) from an earlier run to upload`, true);
  }
}

/** Writes what is not yet stored to the spools (the next run uploads it) and releases their locks. */
export async function closeSpools(run: Run): Promise<void> {
  for (const p of run.pipelines.values()) await p.closeSpool();
  for (const [dir, spool] of run.spools) {
    await spool.close();
    const st = spool.stats();
    if (st.files > 0)
      run.progress.line(`spool ${dir}: ${st.files} segment(s) (${formatBytes(st.bytes)}) not yet stored stay on disk; the next run with --spool ${dir} uploads them`, true);
  }
}
