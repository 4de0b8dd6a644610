/**
 * Fuzz: ≥ 10^5 seeded random and mutated packs through putVideoFrame/putAudioFrame (issue 6 item 3).
 * Nothing may throw (the fuzzer produces only well-typed packs), every emitted segment must pass the
 * independent structural checker, and every frame handed in must be counted as written or dropped.
 *
 * Bounded for CI (~100k packs). Longer: `FUZZ_PACKS=2000000 FUZZ_SEED=7 npx tap -t0 test/fuzz/frame-packs.test.ts`
 * or `node build/bench/fuzz-long.js --packs 2000000`.
 */
import t from 'tap';
import { EXPECTED_KINDS, fuzzRun } from './fuzz-run.js';

const packs = Number(process.env['FUZZ_PACKS'] ?? 100_000);
const firstSeed = Number(process.env['FUZZ_SEED'] ?? 0x5eed);
const seeds = Number(process.env['FUZZ_SEEDS'] ?? 2);

t.test(`${packs} fuzzed packs over ${seeds} seed(s): no throw, clean segments, counters add up`, async (t) => {
  let total = 0;
  for (let k = 0; k < seeds; k++) {
    const seed = firstSeed + k;
    const r = fuzzRun(seed, Math.ceil(packs / seeds));
    total += r.packs;
    const s = r.stats;
    t.comment(
      `seed ${seed}: ${r.packs} packs in ${Math.round(r.elapsedMs)} ms, ${r.segments} segments (${r.wrappedSegments} wrapped), ` +
        `video in/written/dropped ${s.videoFramesIn}/${s.videoFramesWritten}/${s.videoFramesDropped}, ` +
        `audio ${s.audioFramesIn}/${s.audioFramesWritten}/${s.audioFramesDropped}, drops by reason ${JSON.stringify(s.droppedByReason)}`,
    );
    t.comment(`seed ${seed}: last drops: ${r.recentDrops.join(' | ')}`);
    t.same(r.thrown, [], `seed ${seed}: nothing thrown`);
    t.same(r.checkerErrors, [], `seed ${seed}: every segment passes the structural checker`);
    t.same(r.invariantErrors, [], `seed ${seed}: sequence, sizes and running counters hold`);
    t.equal(s.videoFramesIn + s.audioFramesIn, r.packs, `seed ${seed}: every pack counted in`);
    t.equal(s.videoFramesIn, s.videoFramesWritten + s.videoFramesDropped, `seed ${seed}: video in = written + dropped`);
    t.equal(s.audioFramesIn, s.audioFramesWritten + s.audioFramesDropped, `seed ${seed}: audio in = written + dropped`);
    t.equal(r.segmentVideoFrames, s.videoFramesWritten, `seed ${seed}: written video frames are exactly those in emitted segments`);
    t.equal(r.segmentAudioFrames, s.audioFramesWritten, `seed ${seed}: written audio frames are exactly those in emitted segments`);
    const byReason = Object.values(s.droppedByReason).reduce((a, b) => a + b, 0);
    t.equal(byReason, s.videoFramesDropped + s.audioFramesDropped, `seed ${seed}: drops by reason add up`);
    t.equal(r.dropEventFrames, byReason, `seed ${seed}: 'drop' events report every dropped frame`);
    t.equal(s.pool.usedBytes, 0, `seed ${seed}: pool empty after finalize and release`);
    t.ok(r.segments > 50 && r.wrappedSegments > 0, `seed ${seed}: the run produced segments, some wrapping the pool`);
    t.ok((s.droppedByReason['POOL_FULL'] ?? 0) > 0 && (s.droppedByReason['FRAME_TOO_LARGE'] ?? 0) > 0, `seed ${seed}: pool-full and too-large drops happened`);
    if (r.packs >= 10_000)
      t.same(
        EXPECTED_KINDS.filter((k) => !(r.kinds[k] > 0)),
        [],
        `seed ${seed}: every mutation kind exercised`,
      );
  }
  t.ok(total >= packs, `${total} packs in total`);
});
