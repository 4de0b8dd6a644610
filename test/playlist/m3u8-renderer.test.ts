/**
 * Scenario tests of the renderer: whole playlists asserted as text, each also parsed by hls-parser
 * in strict mode (an independent reading of RFC 8216).
 */
import t from 'tap';
import HLS from 'hls-parser';
import fc from 'fast-check';
import { segmentKey } from '../../src/keys/object-keys.js';
import { recordsFromKeys, type SegmentRecord } from '../../src/playlist/segment-records.js';
import { renderMediaPlaylist } from '../../src/playlist/m3u8-renderer.js';
import { selectLiveWindow } from '../../src/playlist/live-window.js';

HLS.setOptions({ strictMode: true });

const PREFIX = 'cams/door';
const T0 = Date.UTC(2026, 10, 22, 3, 0, 0); // 2026-11-22T03:00:00Z

type Spec = [startOffsetMs: number, sequence: number, durationMs: number, discontinuity?: boolean];

function records(specs: readonly Spec[]): SegmentRecord[] {
  const keys = specs.map(([off, sequence, durationMs, d]) => segmentKey(PREFIX, { startTimeMs: T0 + off, sequence, durationMs, discontinuity: d === true }));
  return recordsFromKeys(keys, PREFIX);
}

/** URIs are the file names, so the expected text stays readable. */
function names(rs: readonly SegmentRecord[]): string[] {
  return rs.map((r) => r.key.slice(r.key.lastIndexOf('/') + 1));
}

function vod(rs: readonly SegmentRecord[]): string {
  const text = renderMediaPlaylist({ kind: 'vod', records: rs, uris: names(rs) });
  HLS.parse(text); // throws in strict mode on any RFC 8216 violation
  return text;
}

t.test('normal range: VOD header, one EXTINF per segment, PDT on the first, ENDLIST', async (t) => {
  const text = vod(
    records([
      [0, 0, 2000, true],
      [2000, 1, 2000],
      [4000, 2, 2000],
    ]),
  );
  t.equal(
    text,
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:00.000Z
#EXTINF:2.000,
1795316400000-0-2000-d.ts
#EXTINF:2.000,
1795316402000-1-2000.ts
#EXTINF:2.000,
1795316404000-2-2000.ts
#EXT-X-ENDLIST
`,
  );
  const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
  t.equal(parsed.segments.length, 3);
  t.equal(parsed.segments[0].programDateTime?.getTime(), T0);
});

t.test('a gap in time becomes a discontinuity with a program date time', async (t) => {
  // 4 s missing between the 2nd and 3rd segment (lost uploads: sequence skips 2 and 3).
  const text = vod(
    records([
      [0, 0, 2000],
      [2000, 1, 2000],
      [8000, 4, 2000],
      [10000, 5, 2000],
    ]),
  );
  t.equal(
    text,
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:00.000Z
#EXTINF:2.000,
1795316400000-0-2000.ts
#EXTINF:2.000,
1795316402000-1-2000.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:08.000Z
#EXTINF:2.000,
1795316408000-4-2000.ts
#EXTINF:2.000,
1795316410000-5-2000.ts
#EXT-X-ENDLIST
`,
  );
  const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
  t.same(
    parsed.segments.map((s) => s.discontinuity === true),
    [false, false, true, false],
  );
});

t.test('jitter within the tolerance is not a gap', async (t) => {
  const rs = records([
    [0, 0, 2000],
    [2300, 1, 2000],
    [4299, 2, 2000],
  ]);
  t.same(
    rs.map((r) => r.discontinuity),
    [false, false, false],
  );
  const gapped = records([
    [0, 0, 2000],
    [2501, 1, 2000],
  ]);
  t.same(
    gapped.map((r) => r.discontinuity),
    [false, true],
  );
});

t.test('camera restart: flagged key, sequence back to 0, no time gap', async (t) => {
  const text = vod(
    records([
      [0, 7, 2000],
      [2000, 8, 1040],
      [3040, 0, 2000, true],
      [5040, 1, 2000],
    ]),
  );
  t.equal(
    text,
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:00.000Z
#EXTINF:2.000,
1795316400000-7-2000.ts
#EXTINF:1.040,
1795316402000-8-1040.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:03.040Z
#EXTINF:2.000,
1795316403040-0-2000-d.ts
#EXTINF:2.000,
1795316405040-1-2000.ts
#EXT-X-ENDLIST
`,
  );
});

t.test('a restart whose flagged first segment was lost is still a discontinuity (sequence went back)', async (t) => {
  const rs = records([
    [0, 7, 2000],
    [2000, 8, 2000],
    [4000, 1, 2000],
  ]);
  t.same(
    rs.map((r) => r.discontinuity),
    [false, false, true],
  );
});

t.test('a long GOP raises TARGETDURATION to its rounded EXTINF', async (t) => {
  const text = vod(
    records([
      [0, 0, 2000],
      [2000, 1, 7499],
      [9499, 2, 2000],
    ]),
  );
  t.match(text, /^#EXT-X-TARGETDURATION:7$/m);
  t.match(text, /^#EXTINF:7\.499,$/m);
  const text8 = vod(records([[0, 0, 7500]]));
  t.match(text8, /^#EXT-X-TARGETDURATION:8$/m, '7.5 s rounds to 8 (RFC 8216 §4.3.3.1)');
});

t.test('empty range: a valid, empty, ended VOD playlist', async (t) => {
  t.equal(
    vod([]),
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-ENDLIST
`,
  );
});

t.test('bad input is a TypeError naming the problem', async (t) => {
  const rs = records([[0, 0, 2000]]);
  t.throws(() => renderMediaPlaylist({ kind: 'vod', records: rs, uris: [] }), TypeError);
  t.throws(() => renderMediaPlaylist({ kind: 'vod', records: rs, uris: ['a\n#EXT-X-ENDLIST'] }), /line break/);
});

function live(all: readonly SegmentRecord[], n: number, size = 3): string {
  const w = selectLiveWindow(all.slice(0, n), size);
  const text = renderMediaPlaylist({ kind: 'live', records: w.records, uris: names(w.records), mediaSequence: w.mediaSequence, discontinuitySequence: w.discontinuitySequence });
  HLS.parse(text);
  return text;
}

t.test('live window sliding over time keeps each segment’s sequence numbers', async (t) => {
  // A camera running since sequence 40, a time gap (sequence continues) after 44, then more.
  const all = records([
    [0, 40, 2000],
    [2000, 41, 2000],
    [4000, 42, 2000],
    [6000, 43, 2000],
    [8000, 44, 2000],
    [14000, 45, 2000, true],
    [16000, 46, 2000],
    [18000, 47, 2000],
    [20000, 48, 2000],
    [22000, 49, 2000],
  ]);
  t.equal(
    live(all, 5),
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:42
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:04.000Z
#EXTINF:2.000,
1795316404000-42-2000.ts
#EXTINF:2.000,
1795316406000-43-2000.ts
#EXTINF:2.000,
1795316408000-44-2000.ts
`,
  );
  t.equal(
    live(all, 7),
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:44
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:08.000Z
#EXTINF:2.000,
1795316408000-44-2000.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:14.000Z
#EXTINF:2.000,
1795316414000-45-2000-d.ts
#EXTINF:2.000,
1795316416000-46-2000.ts
`,
  );
  t.equal(
    live(all, 9),
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:46
#EXT-X-DISCONTINUITY-SEQUENCE:1
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:16.000Z
#EXTINF:2.000,
1795316416000-46-2000.ts
#EXTINF:2.000,
1795316418000-47-2000.ts
#EXTINF:2.000,
1795316420000-48-2000.ts
`,
  );
  // Every reload in between: a segment's (MSN, DSN) never changes (RFC 8216 §6.2.2).
  const seen = new Map<string, string>();
  for (let n = 1; n <= all.length; n++) {
    const p = HLS.parse(live(all, n)) as HLS.types.MediaPlaylist;
    for (const s of p.segments) {
      const id = `${s.mediaSequenceNumber}/${s.discontinuitySequence}`;
      const before = seen.get(s.uri);
      if (before !== undefined) t.equal(id, before, `${s.uri} at reload ${n}`);
      seen.set(s.uri, id);
    }
  }
});

t.test('live window after a restart starts at the new run (numbers restart with it)', async (t) => {
  const all = records([
    [0, 9, 2000],
    [2000, 10, 2000],
    [4000, 11, 2000],
    [6000, 0, 2000, true],
    [8000, 1, 2000],
  ]);
  t.equal(
    live(all, 5),
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:00:06.000Z
#EXTINF:2.000,
1795316406000-0-2000-d.ts
#EXTINF:2.000,
1795316408000-1-2000.ts
`,
  );
  t.equal(live([], 0), '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n', 'no segments yet: an empty live playlist');
});

t.test('property: any records render to a strict-valid playlist; live reloads keep MSN/DSN per segment', async (t) => {
  const step = fc.record({
    durationMs: fc.integer({ min: 1, max: 12_000 }),
    gapMs: fc.oneof(fc.constant(0), fc.integer({ min: -40, max: 40 }), fc.integer({ min: 501, max: 90_000 })),
    kind: fc.constantFrom('next', 'next', 'next', 'next', 'flag', 'restart', 'skip'),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 0, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (steps, size) => {
      const specs: Spec[] = [];
      let at = 0;
      let seq = 5;
      for (const s of steps) {
        if (s.kind === 'restart') seq = 0;
        else if (s.kind === 'skip') seq += 2;
        else seq += 1;
        at = Math.max(at + s.gapMs, specs.length ? specs[specs.length - 1][0] + 1 : 0);
        specs.push([at, seq, s.durationMs, s.kind === 'flag' || s.kind === 'restart']);
        at += s.durationMs;
      }
      const all = records(specs);
      for (const kind of ['vod', 'event'] as const) HLS.parse(renderMediaPlaylist({ kind, records: all, uris: names(all) }));
      const seen = new Map<string, string>();
      for (let n = 0; n <= all.length; n++) {
        const p = HLS.parse(live(all, n, size)) as HLS.types.MediaPlaylist;
        for (const seg of p.segments) {
          const before = seen.get(seg.uri);
          // MSN is exact; DSN is exact while the run's discontinuities are listed (they all are here).
          if (before !== undefined && before !== `${seg.mediaSequenceNumber}/${seg.discontinuitySequence}`) return false;
          seen.set(seg.uri, `${seg.mediaSequenceNumber}/${seg.discontinuitySequence}`);
        }
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.pass('held for 200 runs');
});
