/**
 * The segment index against a real S3 (s3rver on 127.0.0.1): paginated listing, StartAfter from
 * the key layout, records from keys alone, camera listing.
 */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import HLS from 'hls-parser';
import { segmentKey } from '../../src/keys/object-keys.js';
import { listCameras, listSegments, timeSegmentListing } from '../../src/playlist/segment-index.js';
import { renderMediaPlaylist } from '../../src/playlist/m3u8-renderer.js';
import { startS3, type TestS3 } from '../helpers/s3server.js';

HLS.setOptions({ strictMode: true });
const T0 = Date.UTC(2026, 10, 22, 0, 0, 0);

async function put(s3: TestS3, keys: readonly string[]): Promise<void> {
  const client = s3.client();
  await Promise.all(keys.map((Key) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array([0x47]) }))));
}

/**
 * Writes objects straight into s3rver 3.7.1's filesystem store (`<dir>/<bucket>/<key>._S3rver_object`
 * plus its `.md5`), which is what a PUT leaves behind: 43,200 PUTs would take minutes at s3rver's
 * ~150 PUT/s. A GET of one of them below proves the layout is right.
 */
function writeDirect(s3: TestS3, keys: readonly string[]): void {
  const dirs = new Set<string>();
  for (const key of keys) {
    const path = join(s3.directory, s3.bucket, `${key}._S3rver_object`);
    const dir = dirname(path);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(path, 'G');
    writeFileSync(`${path}.md5`, 'dfcf28d0734569a6a693bc8194de62bf');
  }
}

t.test('window listing: mid-segment start, end exclusive, gap and foreign objects', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const prefix = 'cams/door';
  const starts = [0, 2000, 4000, 6000, 14000, 16000];
  const keys = starts.map((s, i) => segmentKey(prefix, { startTimeMs: T0 + 3_600_000 - 4000 + s, sequence: i, durationMs: 2000, discontinuity: i === 0 }));
  await put(s3, [
    ...keys,
    'cams/door/2026/11/22/00/notes.txt',
    'cams/door/2026/11/22/00/garbage.ts',
    'cams/doorbell/2026/11/22/00/x.ts',
    'cams/yard/2026/a.ts',
    'cams/README',
    'cams/bad id/2026/x.ts',
    'camsx/other/2026/x.ts',
  ]);
  const client = s3.client();
  // The window starts 1 s into the 2nd segment (which began in the previous hour folder).
  const { records } = await listSegments({ client, bucket: s3.bucket, prefix, startMs: T0 + 3_600_000 - 1000, endMs: T0 + 3_600_000 + 12_000 });
  t.same(
    records.map((r) => r.sequence),
    [1, 2, 3, 4],
  );
  t.same(
    records.map((r) => r.discontinuity),
    [false, false, false, true],
    'the 6 s hole before sequence 4 is a discontinuity',
  );
  const text = renderMediaPlaylist({ kind: 'vod', records, uris: records.map((r) => r.key.slice(prefix.length + 1)) });
  HLS.parse(text);
  t.equal(
    text,
    `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:59:58.000Z
#EXTINF:2.000,
2026/11/22/00/1795309198000-1-2000.ts
#EXTINF:2.000,
2026/11/22/01/1795309200000-2-2000.ts
#EXTINF:2.000,
2026/11/22/01/1795309202000-3-2000.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T01:00:10.000Z
#EXTINF:2.000,
2026/11/22/01/1795309210000-4-2000.ts
#EXT-X-ENDLIST
`,
  );
  const all = await listSegments({ client, bucket: s3.bucket, prefix });
  t.equal(all.records.length, 6, 'no range: everything under the prefix, foreign objects skipped');
  const empty = await listSegments({ client, bucket: s3.bucket, prefix, startMs: T0 + 7_200_000, endMs: T0 + 7_300_000 });
  t.same(empty.records, []);
  // Every camera folder here holds only nested keys, which s3rver's Delimiter listing misses: the
  // skip scan finds them (one request per camera, plus the loose README and the invalid folder).
  const before = s3.requests.length;
  t.same(await listCameras({ client, bucket: s3.bucket, rootPrefix: 'cams' }), ['door', 'doorbell', 'yard']);
  t.equal(s3.requests.length - before, 1 + 6, 'delimiter listing, then one request per folder or loose key, and the final empty one');
  // Folders with an object right inside are reported by the Delimiter listing itself (as S3 reports every folder).
  await put(s3, ['flat/a/x.ts', 'flat/b/y.ts', 'flat/c/z.ts']);
  const beforeFlat = s3.requests.length;
  t.same(await listCameras({ client, bucket: s3.bucket, rootPrefix: 'flat' }), ['a', 'b', 'c']);
  t.equal(s3.requests.length - beforeFlat, 1, 'one Delimiter request');
  t.same(await listCameras({ client, bucket: s3.bucket, rootPrefix: 'nothing' }), []);
});

t.test('4 h of 2-s segments (7,200 keys, 8 pages) give the right records', async (t) => {
  // 24 h (43,200 keys) took ~70 s of s3rver's filesystem walking and timed out on a loaded machine;
  // 8 pages prove the same paging, StartAfter and discontinuity rules. Day-scale figures are the
  // bench's job (docs/benchmarks.md), not a timed test's.
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const prefix = 'cams/lobby';
  const N = 7_200;
  const keys: string[] = [];
  for (let i = 0; i < N; i++) {
    // A restart at 02:00 (sequence 0 again, flagged) and one lost segment at 02:40.
    const restart = i === 3_600;
    if (i === 4_800) continue;
    keys.push(segmentKey(prefix, { startTimeMs: T0 + i * 2000, sequence: i >= 3_600 ? i - 3_600 : i, durationMs: 2000, discontinuity: i === 0 || restart }));
  }
  const tWrite = performance.now();
  writeDirect(s3, keys);
  t.comment(`wrote ${keys.length} objects into the store in ${(performance.now() - tWrite).toFixed(0)} ms`);
  const client = s3.client();
  const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keys[100] }));
  t.equal(await got.Body!.transformToString(), 'G', 'objects written to the store are served');

  const listing = await timeSegmentListing({ client, bucket: s3.bucket, prefix, startMs: T0, endMs: T0 + 4 * 3_600_000 });
  t.equal(listing.records.length, N - 1);
  t.equal(listing.pages, 8);
  t.same(
    listing.records.map((r) => r.key),
    keys,
    'every key, in order',
  );
  const discontinuities = listing.records.flatMap((r, i) => (r.discontinuity ? [i] : []));
  t.same(discontinuities, [0, 3_600, 4_800], 'start, restart, hole');
  t.ok(listing.records.every((r) => r.durationMs === 2000));
  t.comment(`listed ${listing.keysSeen} keys in ${listing.pages} pages in ${listing.elapsedMs.toFixed(0)} ms`);

  // The last hour: StartAfter skips the earlier hours instead of paging through them.
  const before = s3.requests.length;
  const hour = await listSegments({ client, bucket: s3.bucket, prefix, startMs: T0 + 3 * 3_600_000, endMs: T0 + 4 * 3_600_000 });
  t.equal(hour.records.length, 1800);
  t.equal(hour.records[0].startTimeMs, T0 + 3 * 3_600_000);
  t.equal(hour.pages, 2, 'one hour is 2 pages, not 8');
  t.equal(s3.requests.length - before, 2);
  t.match(decodeURIComponent(s3.requests[before].url), /start-after=cams\/lobby\/2026\/11\/22\/02\/1795316340000/);
});
