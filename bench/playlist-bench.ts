/**
 * playlist.list_43200_ms: the playlist side's listing of 24 h of one camera's 2-s segments (43,200
 * keys, 44 ListObjectsV2 pages) against s3rver on 127.0.0.1, through src/playlist's
 * `timeSegmentListing`. The keys are seeded straight into s3rver's folder layout (empty objects with
 * their MD5 file) instead of 43,200 PUTs (s3rver takes ~140 PUT/s): the listing is what is timed.
 * Needs --openssl-legacy-provider (s3rver builds continuation tokens with DES).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { segmentKey } from '../src/keys/object-keys.js';
import { timeSegmentListing } from '../src/playlist/segment-index.js';
import { median, round } from './figures.js';
import { BENCH_DIR } from './inputs.js';

/** The figures. */
export interface PlaylistFigures {
  readonly list_43200_ms: number;
  readonly rounds: readonly number[];
  readonly records: number;
  readonly pages: number;
}

const BUCKET = 'bench-playlist';
const PREFIX = 'cameras/bench';
const SEGMENTS = 43_200;
const START_MS = 1_700_000_000_000;
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** s3rver's on-disk layout: `<dir>/<bucket>/<key folders>/<name>._S3rver_object` (+ `.md5`). */
function seed(dir: string): void {
  const marker = join(dir, `.seeded-${SEGMENTS}`);
  if (existsSync(marker)) return;
  let folder = '';
  for (let i = 0; i < SEGMENTS; i++) {
    const key = segmentKey(PREFIX, { startTimeMs: START_MS + i * 2_000, sequence: i, durationMs: 2_000, discontinuity: i === 0 });
    const object = join(dir, BUCKET, `${key}._S3rver_object`);
    if (dirname(object) !== folder) {
      folder = dirname(object);
      mkdirSync(folder, { recursive: true });
    }
    writeFileSync(object, '');
    writeFileSync(`${object}.md5`, EMPTY_MD5);
  }
  writeFileSync(marker, '');
}

/**
 * Seeds (once, cached) and times the 24-h listing.
 * @param rounds - listings to time @defaultValue 3
 * @returns the median and samples
 * @throws Error when the listing does not return 43,200 records
 */
export async function playlistBench(rounds = 3): Promise<PlaylistFigures> {
  const dir = join(BENCH_DIR, 's3rver-43200');
  mkdirSync(dir, { recursive: true });
  seed(dir);
  const server = new (S3rver as unknown as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> })({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    const samples: number[] = [];
    let records = 0;
    let pages = 0;
    for (let r = 0; r < rounds; r++) {
      const l = await timeSegmentListing({ client, bucket: BUCKET, prefix: PREFIX, startMs: START_MS, endMs: START_MS + 86_400_000 });
      samples.push(l.elapsedMs);
      records = l.records.length;
      pages = l.pages;
    }
    if (records !== SEGMENTS) throw new Error(`listing 24 h returned ${records} records, expected ${SEGMENTS}`);
    return { list_43200_ms: round(median(samples), 0), rounds: samples.map((x) => round(x, 0)), records, pages };
  } finally {
    client.destroy();
    await server.close();
  }
}
