/**
 * The bucket configuration the player and retention need: a CORS rule letting the player page GET
 * playlists and segments, and a lifecycle configuration expiring footage after N days.
 *
 * S3 lifecycle filters cannot say "unless tagged keep=true" (a filter only matches tags that are
 * present; there is no negation). The honest way used here: the rule expires objects carrying the
 * tag `s3hls-retention=expire` (the uploader writes it with `--tags s3hls-retention=expire`), and
 * `s3hls keep` replaces a segment's tag set with `keep=true`, so the expiring tag is gone and the
 * rule no longer matches it. Objects without the tag are never expired by this rule.
 */
import type { CORSConfiguration, BucketLifecycleConfiguration } from '@aws-sdk/client-s3';

/** The tag the expiring lifecycle rule matches. */
export const RETENTION_TAG = { Key: 's3hls-retention', Value: 'expire' } as const;

/** Options of {@link bucketSetupPlan}. */
export interface BucketSetupOptions {
  /** The player page's origin, e.g. `https://cams.example.com`. @defaultValue '*' */
  readonly origin?: string | undefined;
  /** Expire tagged footage after this many days (1..36500); none: no lifecycle configuration. */
  readonly retentionDays?: number | undefined;
  /** Move footage to STANDARD_IA after 30 days (only when retention is longer than 30 days). @defaultValue false */
  readonly infrequentAccess?: boolean | undefined;
  /** Limit the lifecycle rule to this key prefix. @defaultValue '' (the whole bucket) */
  readonly prefix?: string | undefined;
}

/** What `bucket setup` puts. */
export interface BucketSetupPlan {
  readonly cors: CORSConfiguration;
  readonly lifecycle?: BucketLifecycleConfiguration | undefined;
}

/**
 * Builds the CORS and lifecycle configurations.
 *
 * @param options - see {@link BucketSetupOptions}
 * @returns the configurations to PUT
 * @throws RangeError for a retention outside 1..36500 days; TypeError for an origin that is not `*` or an http(s) origin
 */
export function bucketSetupPlan(options: BucketSetupOptions = {}): BucketSetupPlan {
  const origin = options.origin ?? '*';
  if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
    throw new TypeError(`origin must be * or scheme://host[:port] without a path, got ${JSON.stringify(origin)}`);
  }
  const cors: CORSConfiguration = {
    CORSRules: [
      {
        AllowedOrigins: [origin],
        AllowedMethods: ['GET', 'HEAD'],
        AllowedHeaders: ['*'],
        // hls.js reads Content-Length/ETag for range requests and caching decisions.
        ExposeHeaders: ['Content-Length', 'Content-Range', 'ETag'],
        MaxAgeSeconds: 3000,
      },
    ],
  };
  const days = options.retentionDays;
  if (days === undefined) return { cors };
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new RangeError(`retentionDays must be an integer in 1..36500, got ${days}`);
  const transition = options.infrequentAccess === true && days > 30;
  const lifecycle: BucketLifecycleConfiguration = {
    Rules: [
      {
        ID: 's3hls-retention',
        Status: 'Enabled',
        Filter: { And: { Prefix: options.prefix ?? '', Tags: [{ ...RETENTION_TAG }] } },
        Expiration: { Days: days },
        ...(transition ? { Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' as const }] } : {}),
      },
    ],
  };
  return { cors, lifecycle };
}
