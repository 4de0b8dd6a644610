/**
 * What one camera costs per month on S3 (requests + storage) next to the same camera on Kinesis
 * Video Streams (ingest + storage), at the list prices of bench/prices.ts (issue 15 §1).
 *
 * Inputs are few and stated: the camera's video bitrate, the segment length, 30 days of retention
 * (a lifecycle rule expires older objects; expiry is free), 25 fps, and the MPEG-TS overhead our
 * muxer adds, measured by the mux bench on the 1080p input (188/184 per payload byte plus a fixed
 * number of bytes per frame: PES header, adaptation field, the last packet's stuffing, PAT/PMT).
 * Audio is left out (128 kbit/s AAC adds ~6 % of a 2 Mbit/s camera's bytes on both services).
 * Viewing is priced per viewer-hour, apart from the monthly figure: it depends on how much
 * footage is watched, not on the camera.
 */
import { round } from './figures.js';
import { MONTH_DAYS, PRICES, type PriceTable } from './prices.js';

/** One camera setting. */
export interface CostCase {
  readonly mbps: number;
  readonly segmentSeconds: number;
}

/** The figures of one case (the JSON line's `cost["2mbps_2s"]`). */
export interface CostFigures {
  readonly puts_per_day: number;
  /** ListObjectsV2 pages to render a 24-h VOD playlist (1,000 keys per page). */
  readonly list_requests_per_24h_playlist: number;
  /** LIST + GET requests per hour one viewer watches live (a LIST per playlist poll, a GET per segment). */
  readonly requests_per_live_viewer_hour: number;
  /** GB (10^9 B) held with 30-day retention. */
  readonly stored_gb: number;
  readonly usd_puts_per_month: number;
  readonly usd_storage_per_month: number;
  /** Requests + storage, per camera-month (tags and viewing not included). */
  readonly usd_per_camera_month: number;
  /** Extra when every segment carries one object tag (tags are billed per tag-month). */
  readonly usd_tags_per_month_if_tagged: number;
  readonly usd_per_live_viewer_hour: number;
  /** KVS ingest + storage of the same elementary stream, per camera-month. */
  readonly kvs_usd_per_camera_month: number;
  readonly kvs_usd_per_viewer_hour: number;
}

/** The cases of the bench: 1, 2, 5 Mbit/s × 2 s, 6 s segments. */
export const COST_CASES: readonly CostCase[] = [1, 2, 5].flatMap((mbps) => [2, 6].map((segmentSeconds) => ({ mbps, segmentSeconds })));

/** The JSON key of a case, e.g. `2mbps_2s`. */
export function costKey(c: CostCase): string {
  return `${c.mbps}mbps_${c.segmentSeconds}s`;
}

const DAY_S = 86_400;
const FPS = 25;

/**
 * Bytes of MPEG-TS per second for `mbps` of H.264.
 * @param mbps - video bitrate, Mbit/s
 * @param overheadBytesPerFrame - fixed TS bytes per frame beyond 188/184 of the payload (measured)
 * @returns bytes per second
 */
export function tsBytesPerSecond(mbps: number, overheadBytesPerFrame: number): number {
  return ((mbps * 1e6) / 8) * (188 / 184) + FPS * overheadBytesPerFrame;
}

/**
 * The cost figures of one case.
 * @param c - bitrate and segment length
 * @param overheadBytesPerFrame - measured TS overhead per frame (see {@link tsBytesPerSecond})
 * @param prices - the price table @defaultValue PRICES
 * @returns the figures, rounded for the report
 */
export function costOf(c: CostCase, overheadBytesPerFrame: number, prices: PriceTable = PRICES): CostFigures {
  const putsPerDay = DAY_S / c.segmentSeconds;
  const esGbPerDay = (((c.mbps * 1e6) / 8) * DAY_S) / 1e9;
  const tsGbPerDay = (tsBytesPerSecond(c.mbps, overheadBytesPerFrame) * DAY_S) / 1e9;
  const storedGb = tsGbPerDay * MONTH_DAYS;
  const puts = putsPerDay * MONTH_DAYS * prices.s3.putUsd;
  const storage = storedGb * prices.s3.storageUsdPerGbMonth;
  const perHour = 3_600 / c.segmentSeconds;
  const kvsStoredGb = esGbPerDay * MONTH_DAYS;
  return {
    puts_per_day: putsPerDay,
    list_requests_per_24h_playlist: Math.ceil(putsPerDay / 1_000),
    requests_per_live_viewer_hour: 2 * perHour,
    stored_gb: round(storedGb, 1),
    usd_puts_per_month: round(puts),
    usd_storage_per_month: round(storage),
    usd_per_camera_month: round(puts + storage),
    usd_tags_per_month_if_tagged: round(putsPerDay * MONTH_DAYS * prices.s3.tagUsdPerMonth),
    usd_per_live_viewer_hour: round(perHour * (prices.s3.listUsd + prices.s3.getUsd), 4),
    kvs_usd_per_camera_month: round(esGbPerDay * MONTH_DAYS * prices.kvs.ingestUsdPerGb + kvsStoredGb * prices.kvs.storageUsdPerGbMonth + prices.kvs.streamUsdPerMonth),
    kvs_usd_per_viewer_hour: round((esGbPerDay / 24) * prices.kvs.consumeUsdPerGb, 4),
  };
}

/**
 * Packing `k` segments of `segmentSeconds` into one object (EXT-X-BYTERANGE, issue 15 §2): the
 * requests and the live delay it would give, to decide whether it is worth building.
 * @param segmentSeconds - segment length
 * @param k - segments per object
 * @returns PUTs per day, USD of PUTs per camera-month, and the live delay (an object is visible only when complete)
 */
export function packing(segmentSeconds: number, k: number, prices: PriceTable = PRICES): { putsPerDay: number; usdPutsPerMonth: number; liveDelaySeconds: number } {
  const putsPerDay = DAY_S / (segmentSeconds * k);
  return { putsPerDay, usdPutsPerMonth: round(putsPerDay * MONTH_DAYS * prices.s3.putUsd), liveDelaySeconds: segmentSeconds * k };
}

/**
 * Every case of {@link COST_CASES}, keyed by {@link costKey}.
 * @param overheadBytesPerFrame - measured TS overhead per frame
 * @returns the `cost` object of the bench's JSON line
 */
export function costTable(overheadBytesPerFrame: number): Record<string, CostFigures> {
  return Object.fromEntries(COST_CASES.map((c) => [costKey(c), costOf(c, overheadBytesPerFrame)]));
}

/**
 * The table as lines for the terminal.
 * @param table - from {@link costTable}
 * @returns lines
 */
export function costLines(table: Record<string, CostFigures>): string[] {
  const lines = [`cost per camera-month (${PRICES.region} list prices of ${PRICES.checked}, bench/prices.ts; 30-day retention, video only):`];
  for (const [k, f] of Object.entries(table)) {
    lines.push(
      `  ${k.padEnd(9)} PUTs/day ${String(f.puts_per_day).padStart(6)}, stored ${String(f.stored_gb).padStart(7)} GB: S3 $${f.usd_per_camera_month} (PUTs $${f.usd_puts_per_month} + storage $${f.usd_storage_per_month}; +$${f.usd_tags_per_month_if_tagged} if tagged) vs KVS $${f.kvs_usd_per_camera_month}; 24-h playlist ${f.list_requests_per_24h_playlist} LISTs; live viewer-hour ${f.requests_per_live_viewer_hour} requests $${f.usd_per_live_viewer_hour} (KVS $${f.kvs_usd_per_viewer_hour})`,
    );
  }
  const p = packing(2, 3);
  lines.push(
    `  packing 3 × 2 s segments per object (EXT-X-BYTERANGE): ${p.putsPerDay} PUTs/day ($${p.usdPutsPerMonth}/month), live delay ${p.liveDelaySeconds} s: the same requests and delay as 6 s segments`,
  );
  return lines;
}
