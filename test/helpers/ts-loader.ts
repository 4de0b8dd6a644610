/**
 * The TypeScript loader flags of this test process (`--import=tsx`, set in package.json's tap
 * config), for child processes that run a `.ts` file. Spawned with plain `node` they would fail to
 * parse TypeScript; the rest of execArgv (e.g. --expose-gc) is not theirs to inherit.
 */
export const TS_LOADER_ARGS: readonly string[] = process.execArgv.filter((a) => /(^|[=/\s])tsx(\/|$)|@tapjs\/typescript/.test(a));
