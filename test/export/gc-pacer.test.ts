/**
 * The export process's collector pacing: collects only when ArrayBuffer bytes pass the budget, and
 * a collection really frees the garbage (measured after, not assumed).
 */
import t from 'tap';
import { exposeGc, GcPacer, pinYoungGeneration } from '../../src/export/gc-pacer.js';

t.test('collects when ArrayBuffer garbage passes the budget, not before', async (t) => {
  const gc = exposeGc();
  if (!gc) {
    t.fail('gc() could not be exposed');
    return;
  }
  gc();
  const base = process.memoryUsage().arrayBuffers;
  const pacer = new GcPacer(gc, base + 32 * 1024 * 1024);
  pacer.check();
  t.equal(pacer.stats.collections, 0, 'under budget: no collection');
  // 64 MB of garbage: segment-sized arrays dropped at once, as mux.js leaves them.
  for (let i = 0; i < 48; i++) new Uint8Array(1_400_000).fill(i);
  const before = process.memoryUsage().arrayBuffers;
  pacer.check();
  // V8 frees the backing stores of dead ArrayBuffers on a background sweeper after the collection.
  let after = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 100 && after >= base + 8 * 1024 * 1024; i++) {
    await new Promise((r) => setTimeout(r, 20));
    after = process.memoryUsage().arrayBuffers;
  }
  t.equal(pacer.stats.collections, 1, `over budget (${Math.round(before / 1e6)} MB): one collection`);
  t.ok(after < base + 8 * 1024 * 1024, `garbage freed (${Math.round(after / 1e6)} MB after)`);
});

t.test('options and flags', (t) => {
  t.throws(() => new GcPacer(() => undefined, 0), RangeError);
  t.equal(pinYoungGeneration(), true, 'V8 accepts the growth factor');
  t.end();
});
