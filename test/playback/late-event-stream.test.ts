/**
 * The streamed EVENT playlist (playlist-stream.ts) leaves late segments out on every path: a short
 * list decided and written from one walk, a long one (more than SINGLE_PASS_RECORDS) over three
 * walks when a record is late (two otherwise), with a segment stored mid-list between the walks (it
 * can only be a late one).
 */
import t from 'tap';
import HLS from 'hls-parser';
import { segmentKey } from '../../src/keys/object-keys.js';
import { linkRecord, type SegmentRecord } from '../../src/playlist/segment-records.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { SINGLE_PASS_RECORDS, streamPlaylist } from '../../src/playback/playlist-stream.js';

HLS.setOptions({ strictMode: true });

const PREFIX = 'cams/door';
const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const BASE = Math.floor(T0 / 100);
const GRACE = 30_000;
const end = (i: number): number => T0 + (i + 1) * 2000;

/** Segments `indexes` of a 2-s camera, each stored at `storedOf(i)`, linked in key order. */
function listing(indexes: readonly number[], storedOf: (i: number) => number): SegmentRecord[] {
  let prev: SegmentRecord | undefined;
  return indexes.map((i) => {
    const fields = { startTimeMs: T0 + i * 2000, sequence: BASE + i, durationMs: 2000, discontinuity: i === 0 };
    prev = linkRecord(prev, { ...fields, key: segmentKey(PREFIX, fields), storedMs: storedOf(i) }, 500);
    return prev;
  });
}

/** A walk over `walks[n]` on the n-th call (the last one repeated), in pages of 1,000. */
function walker(walks: readonly SegmentRecord[][]): { walk: () => AsyncIterable<SegmentRecord[]>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    walk: async function* () {
      const records = walks[Math.min(calls, walks.length - 1)];
      calls += 1;
      for (let i = 0; i < records.length; i += 1000) yield records.slice(i, i + 1000);
    },
  };
}

async function render(walk: () => AsyncIterable<SegmentRecord[]>, nowMs: number): Promise<number[]> {
  let text = '';
  const settle = { nowMs, graceMs: GRACE, listedFromMs: T0 };
  for await (const c of streamPlaylist({ kind: 'event', walk, urls: baseUrlResolver('https://cdn.example'), settle })) text += c;
  const p = HLS.parse(text) as HLS.types.MediaPlaylist;
  return p.segments.map((s) => Number(/-(\d+)-\d+(?:-d)?\.ts$/.exec(s.uri)![1]) - BASE);
}

t.test('short EVENT list: one walk, the late segment left out', async (t) => {
  const all = Array.from({ length: 10 }, (_, i) => i);
  // 4 is stored 60 s after its end, after 5..9.
  const w = walker([listing(all, (i) => end(i) + (i === 4 ? 60_000 : 100))]);
  t.same(await render(w.walk, end(9) + 61_000), [0, 1, 2, 3, 5, 6, 7, 8, 9]);
  t.equal(w.calls(), 1, 'decided and written from one walk');
});

t.test('long EVENT list: three walks; a late segment, and one stored mid-list between walks, left out', async (t) => {
  const n = SINGLE_PASS_RECORDS + 1000;
  const everything = Array.from({ length: n }, (_, i) => i);
  const stored = (i: number): number => end(i) + (i === 3000 ? 90_000 : 150);
  const nowMs = end(n - 1) + 60_000;
  // Walks 1 and 2 do not see 4500 yet (an old hole: lost); walk 3 does (stored between the walks).
  const before = listing(
    everything.filter((i) => i !== 4500),
    stored,
  );
  const after = listing(everything, (i) => (i === 4500 ? nowMs : stored(i)));
  const w = walker([before, before, after]);
  const got = await render(w.walk, nowMs);
  t.equal(w.calls(), 3, 'a pre-walk for the verdicts, a walk to count, a walk to write');
  t.equal(got.length, n - 2);
  t.notOk(got.includes(3000), 'the late one is left out');
  t.notOk(got.includes(4500), 'the one stored between the walks is left out');
  t.same(got.slice(-3), [n - 3, n - 2, n - 1], 'and the list still ends where the count said');

  const onTime = walker([listing(everything, (i) => end(i) + 150)]);
  t.equal((await render(onTime.walk, nowMs)).length, n);
  t.equal(onTime.calls(), 2, 'nothing late: two walks, as before the rule');
});
