import t from 'tap';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { ChunkList } from '../../src/mpegts/chunk-list.js';
import { ContinuityCounters } from '../../src/mpegts/continuity-counters.js';
import { PesPacketizer, type PacketCursor, type PesWrite } from '../../src/mpegts/packetizer.js';

// In its own file (its own process): V8's optimisation of write() depends on what else ran before it,
// and production code calls write() with one PesWrite object of one shape, as here.
// Timestamps start 10 s before the 33-bit wrap and pass it: values above 2^31 are heap numbers in V8,
// the case where a careless split (or a boxed intermediate) would allocate.
const BASE = 2 ** 33 - 900_000;

function pes(over: Partial<PesWrite> = {}): PesWrite {
  return { pid: 0x100, streamId: 0xe0, pts90k: 1000, dts90k: 1000, pcr90k: -1, randomAccess: false, discontinuity: false, boundedLength: false, ...over };
}

t.test('write() allocates nothing in steady state', async (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  t.ok(gc, 'gc() is exposed (package.json "tap" passes --expose-gc)');
  if (!gc) return;
  const pool = new Uint8Array(188 * 64);
  const packetizer = new PesPacketizer(pool);
  const cc = new ContinuityCounters();
  const ring = new Uint8Array(200_000); // an encoder ring: one ArrayBuffer, frame after frame
  const payload = new ChunkList();
  let slot = 0;
  const cursor: PacketCursor = { nextPacket: () => (slot++ % 64) * 188 };
  const w = pes({ pcr90k: 0, randomAccess: true });
  const frame = (i: number) => {
    payload.clear();
    const start = (i * 4099) % 150_000;
    payload.add(ring, start, start + 3000 + (i % 7) * 500); // 17-35 packets
    payload.add(ring, 0, 33 + (i % 5)); // the wrapped second part
    w.pts90k = BASE + i * 3600;
    w.dts90k = BASE + i * 3600 - 3600;
    w.pcr90k = BASE + i * 3600 - 3600;
    return packetizer.write(cursor, cc, w, payload);
  };
  for (let i = 0; i < 3000; i++) frame(i); // warm up: JIT, ByteCopier's cached views
  // heapUsed alone under-counts once a scavenge runs, so also count scavenges: a loop that
  // allocates nothing triggers none.
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  });
  observer.observe({ entryTypes: ['gc'] });
  gc();
  await new Promise((r) => setTimeout(r, 20));
  scavenges = 0;
  const frames = 100_000;
  const before = process.memoryUsage().heapUsed;
  let packets = 0;
  for (let i = 0; i < frames; i++) packets += frame(i);
  const grown = process.memoryUsage().heapUsed - before;
  await new Promise((r) => setTimeout(r, 20));
  observer.disconnect();
  // One 16-byte heap number per frame would be 1.6 MB here; a subarray per packet, ~150 MB. The
  // rest (< ~0.4 MB) is measurement noise: V8's allocation buffers, the timer above.
  t.ok(grown < 1024 * 1024, `heap grew ${grown} bytes over ${frames} frames (${packets} packets): ${(grown / frames).toFixed(1)} B/frame`);
  t.equal(scavenges, 0, 'no scavenge ran during the loop');
});
