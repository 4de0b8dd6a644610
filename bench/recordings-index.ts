/**
 * recordings.spans_30d: the time to answer "where is footage" over 30 days of a 2-s camera
 * (1,296,000 segments) from the hour index objects (720 GETs, 8 in parallel) against s3rver on
 * 127.0.0.1, next to the same query by LIST on a smaller seeded range, scaled to 30 days (LIST
 * costs one sequential request per 1,000 keys, so it scales linearly). Objects are seeded straight
 * into s3rver's folder layout (1.3 M PUTs would take hours). Target (issue 12 §1): ≤ 2 s.
 *
 *     npm run build:bench && node --openssl-legacy-provider build/bench/recordings-index.js
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { segmentKey } from '../src/keys/object-keys.js';
import { buildHourIndex, HOUR_MS, hourIndexKey } from '../src/recordings/hour-index.js';
import { querySpans } from '../src/recordings/spans.js';
import { median, round } from './figures.js';

const BUCKET = 'bench-recordings';
const INDEXED = 'cameras/indexed';
const LISTED = 'cameras/listed';
const START_MS = Date.UTC(2026, 9, 1);
const HOURS = 720;
const LIST_HOURS = 4;

function put(dir: string, key: string, body: string): void {
  const object = join(dir, BUCKET, `${key}._S3rver_object`);
  mkdirSync(dirname(object), { recursive: true });
  writeFileSync(object, body);
  writeFileSync(`${object}.md5`, createHash('md5').update(body).digest('hex'));
}

function keysOfHour(prefix: string, h: number): string[] {
  const hour = START_MS + h * HOUR_MS;
  return Array.from({ length: 1800 }, (_, k) => segmentKey(prefix, { startTimeMs: hour + k * 2000, sequence: h * 1800 + k, durationMs: 2000, discontinuity: h === 0 && k === 0 }));
}

/** The figures printed. */
export interface RecordingsFigures {
  readonly index_30d_ms: number;
  readonly index_rounds: readonly number[];
  readonly list_4h_ms: number;
  readonly list_30d_estimate_ms: number;
  readonly segments_30d: number;
}

/**
 * Seeds, then times the 30-day query from the index and the 4-hour query by LIST.
 *
 * @param rounds - timed queries of each kind @defaultValue 3
 * @returns the figures
 * @throws Error when a query does not count every seeded segment
 */
export async function recordingsBench(rounds = 3): Promise<RecordingsFigures> {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-bench-recordings-'));
  for (let h = 0; h < HOURS; h++) {
    const hour = START_MS + h * HOUR_MS;
    put(dir, hourIndexKey(INDEXED, hour), JSON.stringify(buildHourIndex(INDEXED, hour, keysOfHour(INDEXED, h), hour + HOUR_MS)));
  }
  for (let h = 0; h < LIST_HOURS; h++) for (const k of keysOfHour(LISTED, h)) put(dir, k, '');
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
  const nowMs = START_MS + (HOURS + 24) * HOUR_MS;
  try {
    const index: number[] = [];
    const list: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      const a = await querySpans({ client, bucket: BUCKET, prefix: INDEXED, startMs: START_MS, endMs: START_MS + HOURS * HOUR_MS, nowMs });
      index.push(performance.now() - t0);
      const n = a.spans.reduce((s, x) => s + x.segments, 0);
      if (n !== HOURS * 1800 || a.stats.indexHours !== HOURS) throw new Error(`index query counted ${n} segments from ${a.stats.indexHours} index objects`);
      t0 = performance.now();
      const b = await querySpans({ client, bucket: BUCKET, prefix: LISTED, startMs: START_MS, endMs: START_MS + LIST_HOURS * HOUR_MS, nowMs, useIndex: false });
      list.push(performance.now() - t0);
      if (b.spans.reduce((s, x) => s + x.segments, 0) !== LIST_HOURS * 1800) throw new Error('LIST query did not count every segment');
    }
    const listMs = median(list);
    return {
      index_30d_ms: round(median(index), 0),
      index_rounds: index.map((x) => round(x, 0)),
      list_4h_ms: round(listMs, 0),
      list_30d_estimate_ms: round((listMs * HOURS) / LIST_HOURS, 0),
      segments_30d: HOURS * 1800,
    };
  } finally {
    client.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = await recordingsBench();
  console.log(`recordings.spans_30d: ${f.segments_30d} segments from 720 hour index objects in ${f.index_30d_ms} ms (median of ${f.index_rounds.join(', ')}; target ≤ 2000 ms)`);
  console.log(
    `recordings.list_4h: ${f.list_4h_ms} ms by LIST for 7,200 keys → 30 days by LIST ≈ ${(f.list_30d_estimate_ms / 1000).toFixed(0)} s (linear: one sequential request per 1,000 keys)`,
  );
}
