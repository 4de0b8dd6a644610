/**
 * recordings.spans_30d: the time to answer "where is footage" over 30 days of a 2-s camera
 * (1,296,000 segments) against s3rver on 127.0.0.1, three ways:
 * - from the 30 day index objects (30 GETs; what querySpans does by default): the figure with the
 *   target of issue 12 §1, ≤ 2 s;
 * - from the 720 hour index objects alone (720 GETs, 8 in parallel; day indexes switched off), with
 *   where its time goes: the 720 GETs alone (body read, no parse) and the per-segment work alone
 *   (JSON parse, key fields and linking of 1.3 M entries, from memory);
 * - by LIST, on a smaller seeded range scaled to 30 days (LIST costs one sequential request per
 *   1,000 keys, so it scales linearly).
 * Objects are seeded straight into s3rver's folder layout (1.3 M PUTs would take hours). The last
 * line is the figures as JSON, with the load average (the machine is shared).
 *
 *     npm run build:bench && node --openssl-legacy-provider build/bench/recordings-index.js
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { segmentKey } from '../src/keys/object-keys.js';
import { linkRecord, type SegmentRecord } from '../src/playlist/segment-records.js';
import { buildDayIndex, DAY_MS, dayIndexKey, summarizeHourIndex, type HourSummary } from '../src/recordings/day-index.js';
import { buildHourIndex, HOUR_MS, hourIndexKey, parseHourIndex } from '../src/recordings/hour-index.js';
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

/** Seeds the hour and day indexes of INDEXED and the segment keys of LISTED; returns the hour index bodies. */
function seed(dir: string): string[] {
  const bodies: string[] = [];
  let day: HourSummary[] = [];
  for (let h = 0; h < HOURS; h++) {
    const hour = START_MS + h * HOUR_MS;
    const json = buildHourIndex(INDEXED, hour, keysOfHour(INDEXED, h), hour + HOUR_MS);
    bodies.push(JSON.stringify(json));
    put(dir, hourIndexKey(INDEXED, hour), bodies[h]);
    day.push(summarizeHourIndex(json, hour)!);
    if (h % 24 === 23) {
      const dayStart = hour - 23 * HOUR_MS;
      put(dir, dayIndexKey(INDEXED, dayStart), JSON.stringify(buildDayIndex(dayStart, day, dayStart + DAY_MS)));
      day = [];
    }
  }
  for (let h = 0; h < LIST_HOURS; h++) for (const k of keysOfHour(LISTED, h)) put(dir, k, '');
  return bodies;
}

/** The figures printed. */
export interface RecordingsFigures {
  /** 30 days from the day indexes (the default path), median ms. */
  readonly index_30d_ms: number;
  readonly index_rounds: readonly number[];
  /** 30 days from the hour indexes only, ms. */
  readonly hour_index_30d_ms: number;
  /** Of which: the 720 GETs alone (8 in parallel, body read, no parse), ms. */
  readonly hour_index_gets_ms: number;
  /** Of which: parsing and linking the 720 bodies alone (no requests), ms. */
  readonly hour_index_parse_ms: number;
  readonly list_4h_ms: number;
  readonly list_30d_estimate_ms: number;
  readonly segments_30d: number;
  /** /proc/loadavg at the end. */
  readonly loadavg: string;
}

/** The 720 GETs of the hour indexes, 8 in parallel, bodies read as text. */
async function timeGets(client: S3Client): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOURS) {
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: hourIndexKey(INDEXED, START_MS + next++ * HOUR_MS) }));
      await got.Body!.transformToString();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return performance.now() - t0;
}

/** What the hour-index path does per segment, from memory: parse, key fields, link. */
function timeParse(bodies: readonly string[]): number {
  const t0 = performance.now();
  let prev: SegmentRecord | undefined;
  for (let h = 0; h < HOURS; h++) for (const f of parseHourIndex(bodies[h], INDEXED, START_MS + h * HOUR_MS)) prev = linkRecord(prev, f, 500);
  return performance.now() - t0;
}
/**
 * Seeds, then times the 30-day query from the day indexes (`rounds` times), from the hour indexes
 * (once, with its parts) and the 4-hour query by LIST (once).
 *
 * @param rounds - timed day-index queries @defaultValue 5
 * @returns the figures
 * @throws Error when a query does not count every seeded segment or did not read what it should
 */
export async function recordingsBench(rounds = 5): Promise<RecordingsFigures> {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-bench-recordings-'));
  const bodies = seed(dir);
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
  const window = { client, bucket: BUCKET, prefix: INDEXED, startMs: START_MS, endMs: START_MS + HOURS * HOUR_MS, nowMs };
  const count = (spans: readonly { segments: number }[]): number => spans.reduce((s, x) => s + x.segments, 0);
  try {
    const index: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const a = await querySpans(window);
      index.push(performance.now() - t0);
      if (count(a.spans) !== HOURS * 1800 || a.stats.dayIndexes !== HOURS / 24 || a.stats.indexHours !== 0) {
        throw new Error(`day index query counted ${count(a.spans)} segments from ${a.stats.dayIndexes} day and ${a.stats.indexHours} hour index objects`);
      }
    }
    let t0 = performance.now();
    const b = await querySpans({ ...window, useDayIndex: false });
    const hourMs = performance.now() - t0;
    if (count(b.spans) !== HOURS * 1800 || b.stats.indexHours !== HOURS)
      throw new Error(`hour index query counted ${count(b.spans)} segments from ${b.stats.indexHours} index objects`);
    const getsMs = await timeGets(client);
    const parseMs = timeParse(bodies);
    t0 = performance.now();
    const c = await querySpans({ ...window, prefix: LISTED, endMs: START_MS + LIST_HOURS * HOUR_MS, useIndex: false });
    const listMs = performance.now() - t0;
    if (count(c.spans) !== LIST_HOURS * 1800) throw new Error('LIST query did not count every segment');
    return {
      index_30d_ms: round(median(index), 0),
      index_rounds: index.map((x) => round(x, 0)),
      hour_index_30d_ms: round(hourMs, 0),
      hour_index_gets_ms: round(getsMs, 0),
      hour_index_parse_ms: round(parseMs, 0),
      list_4h_ms: round(listMs, 0),
      list_30d_estimate_ms: round((listMs * HOURS) / LIST_HOURS, 0),
      segments_30d: HOURS * 1800,
      loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    };
  } finally {
    client.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = await recordingsBench();
  console.log(`recordings.spans_30d: ${f.segments_30d} segments from 30 day index objects in ${f.index_30d_ms} ms (median of ${f.index_rounds.join(', ')}; target ≤ 2000 ms)`);
  console.log(
    `recordings.spans_30d_hour_index: ${f.hour_index_30d_ms} ms from 720 hour index objects (their 720 GETs alone: ${f.hour_index_gets_ms} ms; parsing and linking 1.3 M entries alone: ${f.hour_index_parse_ms} ms)`,
  );
  console.log(
    `recordings.list_4h: ${f.list_4h_ms} ms by LIST for 7,200 keys → 30 days by LIST ≈ ${(f.list_30d_estimate_ms / 1000).toFixed(0)} s (linear: one sequential request per 1,000 keys)`,
  );
  console.log(`load average: ${f.loadavg}`);
  console.log(JSON.stringify({ recordings: f }));
}
