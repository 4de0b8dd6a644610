/**
 * The one price table of the cost model (bench/cost-model.ts). Change a number here and
 * `npm run bench` prints the new dollars; docs/benchmarks.md says where each number comes from.
 *
 * List prices, US East (N. Virginia), checked 2026-12-02:
 * - S3 Standard (aws.amazon.com/s3/pricing): PUT/COPY/POST/LIST $0.005 per 1,000 requests,
 *   GET $0.0004 per 1,000, storage $0.023 per GB-month (first 50 TB), object tags $0.01 per 10,000
 *   tags per month, data transfer in free.
 * - Kinesis Video Streams (aws.amazon.com/kinesis/video-streams/pricing, its US East example):
 *   $0.0085 per GB ingested, $0.0085 per GB consumed, $0.023 per GB-month stored; no per-stream
 *   fee (WebRTC signalling channels are billed separately and not used here).
 * "GB" is 10^9 bytes in both price lists' examples; a month is 30 days.
 */

/** Prices in US dollars. */
export interface PriceTable {
  readonly region: string;
  readonly checked: string;
  readonly s3: {
    /** PutObject, per request. */
    readonly putUsd: number;
    /** ListObjectsV2, per request (billed as PUT-class). */
    readonly listUsd: number;
    /** GetObject, per request. */
    readonly getUsd: number;
    /** Standard storage, per GB-month. */
    readonly storageUsdPerGbMonth: number;
    /** Object tags, per tag per month. */
    readonly tagUsdPerMonth: number;
  };
  readonly kvs: {
    readonly ingestUsdPerGb: number;
    readonly consumeUsdPerGb: number;
    readonly storageUsdPerGbMonth: number;
    /** Per stream per month (none today). */
    readonly streamUsdPerMonth: number;
  };
}

/** US East list prices (see the file comment for the sources). */
export const PRICES: PriceTable = {
  region: 'us-east-1',
  checked: '2026-12-02',
  s3: {
    putUsd: 0.005 / 1_000,
    listUsd: 0.005 / 1_000,
    getUsd: 0.0004 / 1_000,
    storageUsdPerGbMonth: 0.023,
    tagUsdPerMonth: 0.01 / 10_000,
  },
  kvs: {
    ingestUsdPerGb: 0.0085,
    consumeUsdPerGb: 0.0085,
    storageUsdPerGbMonth: 0.023,
    streamUsdPerMonth: 0,
  },
};

/** Days in the billing month of the model. */
export const MONTH_DAYS = 30;
