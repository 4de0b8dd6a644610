/**
 * Flags shared by `s3hls playlist` and `s3hls serve`: which store to talk to and how segment URLs
 * are written. Credentials come from the standard AWS chain (environment, profile, SSO, instance
 * role) through fromNodeProviderChain: nothing secret is ever a flag.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { baseUrlResolver, presignedUrlResolver, type SegmentUrlResolver } from '../playlist/segment-urls.js';

/** A user mistake on the command line: printed as one `s3hls: <message>` line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs option specs for the store and URL flags. */
export const STORE_FLAGS = {
  bucket: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'path-style': { type: 'boolean' },
  presign: { type: 'string' },
  'base-url': { type: 'string' },
} as const;

/** Values of {@link STORE_FLAGS} after parsing. */
export interface StoreFlagValues {
  bucket?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
  'path-style'?: boolean | undefined;
  presign?: string | undefined;
  'base-url'?: string | undefined;
}

/**
 * A whole number from a flag.
 *
 * @param value - the flag's text
 * @param flag - its name, for the message
 * @param min - smallest allowed value
 * @param max - largest allowed value
 * @returns the number
 * @throws UsageError naming the flag and the value
 */
export function intFlag(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number in ${min}..${max}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The S3 client and URL resolver the flags describe.
 *
 * @param v - parsed flags
 * @param onWarning - where credential-expiry warnings go
 * @returns client, bucket and resolver
 * @throws UsageError for a missing bucket or bad values
 */
export function storeFromFlags(v: StoreFlagValues, onWarning: (m: string) => void): { client: S3Client; bucket: string; urls: SegmentUrlResolver } {
  if (!v.bucket) throw new UsageError('--bucket is required');
  if (v.endpoint !== undefined && !/^https?:\/\//.test(v.endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(v.endpoint)}`);
  if (v.presign !== undefined && v['base-url'] !== undefined) throw new UsageError('give either --presign or --base-url, not both');
  const client = new S3Client({
    region: v.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    credentials: fromNodeProviderChain(),
    ...(v.endpoint !== undefined ? { endpoint: v.endpoint } : {}),
    forcePathStyle: v['path-style'] === true,
  });
  let urls: SegmentUrlResolver;
  if (v['base-url'] !== undefined) {
    try {
      urls = baseUrlResolver(v['base-url']);
    } catch (e) {
      throw new UsageError(`--base-url: ${(e as Error).message}`);
    }
  } else {
    const seconds = v.presign === undefined ? 3600 : intFlag(v.presign, 'presign', 1, 604_800);
    urls = presignedUrlResolver({ client, bucket: v.bucket, expiresInSeconds: seconds, onWarning });
  }
  return { client, bucket: v.bucket, urls };
}
