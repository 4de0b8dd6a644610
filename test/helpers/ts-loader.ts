/**
 * The TypeScript loader flags of this test process (`--import=tsx`, set in package.json's tap
 * config), for child processes that run a `.ts` file. Spawned with plain `node` they would fail to
 * parse TypeScript; the rest of execArgv (e.g. --expose-gc) is not theirs to inherit.
 */
export const TS_LOADER_ARGS: readonly string[] = process.execArgv.filter((a) => /(^|[=/\s])tsx(\/|$)|@tapjs\/typescript/.test(a));

/**
 * The entry and options that start a TypeScript worker script: worker threads do not inherit the
 * parent's `--import=tsx` hooks (Node 20), so the worker starts from ts-worker.mjs, which registers
 * tsx and then imports `script`.
 *
 * @param script - the worker's `.ts` file
 * @returns the entry URL and the argv naming the script (merge other Worker options in)
 */
export function tsWorkerEntry(script: URL): { entry: URL; argv: string[] } {
  return { entry: new URL('./ts-worker.mjs', import.meta.url), argv: [script.href] };
}
