/**
 * The long fuzz run (issue 6 item 3): the same fuzzer as the bounded CI test
 * (test/fuzz/frame-packs.test.ts, with the structural checker of test/checker/), run with many more
 * packs and seeds. src/ cannot import test/ code, so this entry point runs that test file under tap
 * with the size given in the environment.
 *
 * Usage: `node build/bench/fuzz-long.js [--packs 5000000] [--seed 1] [--seeds 20]` (from the repo root)
 */
import { spawnSync } from 'node:child_process';

/**
 * Reads `--name value` from argv.
 * @param name - option name without dashes
 * @param def - default
 * @returns the value
 */
function opt(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const packs = opt('packs', '5000000');
const seed = opt('seed', String(Date.now() % 1_000_000));
const seeds = opt('seeds', '20');
console.log(`fuzz: ${packs} packs over ${seeds} seeds from ${seed} (reproduce one seed with FUZZ_SEED=<seed> FUZZ_SEEDS=1 FUZZ_PACKS=<n>)`);
const r = spawnSync('npx', ['tap', '--timeout=0', 'test/fuzz/frame-packs.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_PACKS: packs, FUZZ_SEED: seed, FUZZ_SEEDS: seeds },
});
process.exit(r.status ?? 1);
