// Starts a TypeScript worker under tsx. A worker thread does not inherit the hooks the parent's
// `--import=tsx` registered (Node 20), so a `.ts` worker script would fail with "Unknown file
// extension"; this plain-JS entry registers tsx in the worker, then imports the script named in
// its argv. Used by tests only (test/helpers/ts-loader.ts, tsWorkerArgs).
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
