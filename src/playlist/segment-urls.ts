/**
 * Segment URLs: presigned GET URLs (the bucket stays private; the URL carries a time-limited
 * signature, never a credential) or plain URLs under a base URL for public or CDN-fronted buckets.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { encodeKeyPath, QuerySigner } from './sigv4-query-signer.js';

/** Turns object keys into the URIs written in a playlist. */
export interface SegmentUrlResolver {
  /**
   * @param keys - object keys, in playlist order
   * @param signal - aborts presigning
   * @returns one URL per key
   */
  urls(keys: readonly string[], signal?: AbortSignal): Promise<string[]>;
  /** How long a URL from this resolver stays valid, seconds (Infinity for plain URLs). */
  readonly validForSeconds: number;
}

/** SigV4 presigned URLs live at most 7 days (AWS limit). */
export const MAX_PRESIGN_SECONDS = 604_800;

/** Options of {@link presignedUrlResolver}. */
export interface PresignOptions {
  /** The S3 client whose credentials sign the URLs. */
  readonly client: S3Client;
  /** The bucket of the segments. */
  readonly bucket: string;
  /** Lifetime of each URL, seconds, 1..604800. @defaultValue 3600 */
  readonly expiresInSeconds?: number | undefined;
  /** Called with a sentence when the credentials expire before the URLs would (temporary credentials). */
  readonly onWarning?: ((message: string) => void) | undefined;
  /** The clock, for tests. @defaultValue Date.now */
  readonly nowMs?: (() => number) | undefined;
}

/**
 * A resolver that presigns one GET per key.
 *
 * A presigned URL stops working when the credentials that signed it expire, whatever its own
 * expiry says: with temporary credentials (a role, SSO) the effective lifetime is the shorter one,
 * and `onWarning` says so.
 *
 * @param options - see {@link PresignOptions}
 * @returns the resolver
 * @throws RangeError when `expiresInSeconds` is outside 1..604800
 */
export function presignedUrlResolver(options: PresignOptions): SegmentUrlResolver {
  const expiresIn = options.expiresInSeconds ?? 3600;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw new RangeError(`expiresInSeconds must be an integer in 1..${MAX_PRESIGN_SECONDS} (7 days, the SigV4 limit), got ${expiresIn}`);
  }
  const now = options.nowMs ?? Date.now;
  let warnedFor: number | undefined;
  return {
    validForSeconds: expiresIn,
    async urls(keys, signal) {
      if (keys.length === 0) return [];
      const credentials = await options.client.config.credentials();
      const expiration = credentials.expiration?.getTime();
      if (expiration !== undefined && expiration < now() + expiresIn * 1000 && warnedFor !== expiration) {
        warnedFor = expiration;
        options.onWarning?.(
          `the credentials expire at ${new Date(expiration).toISOString()}, before the ${expiresIn}-s presigned URLs would: segments stop loading then (use longer-lived credentials or a shorter --presign)`,
        );
      }
      // getSignedUrl signs the first key (endpoint rules, region, credentials: the SDK's whole
      // stack, ~0.6 ms); the others are signed like it with only their path changed
      // (sigv4-query-signer.ts, ~15 µs), which checks itself against this first URL.
      const signingDate = new Date(Math.floor(now() / 1000) * 1000);
      const sdk = (key: string) => getSignedUrl(options.client, new GetObjectCommand({ Bucket: options.bucket, Key: key }), { expiresIn, signingDate });
      const first = await sdk(keys[0]);
      const out = [first];
      const firstPath = new URL(first).pathname;
      const encoded = encodeKeyPath(keys[0]);
      const fast = firstPath.endsWith(encoded) ? QuerySigner.fromPresignedUrl(first, credentials.secretAccessKey) : undefined;
      const pathPrefix = firstPath.slice(0, firstPath.length - encoded.length);
      for (let i = 1; i < keys.length; i++) {
        if (fast) {
          if (i % 1024 === 0) signal?.throwIfAborted();
          out.push(fast.url(pathPrefix + encodeKeyPath(keys[i])));
        } else {
          signal?.throwIfAborted();
          out.push(await sdk(keys[i]));
        }
      }
      return out;
    },
  };
}

/**
 * A resolver writing `<baseUrl>/<key>` (each key segment percent-encoded) for a public bucket or a
 * CDN in front of it.
 *
 * @param baseUrl - absolute http(s) URL, e.g. `https://cdn.example.com`
 * @returns the resolver
 * @throws TypeError when `baseUrl` is not an absolute http(s) URL
 */
export function baseUrlResolver(baseUrl: string): SegmentUrlResolver {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`baseUrl must be http or https, got ${JSON.stringify(baseUrl)}`);
  const base = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  return {
    validForSeconds: Number.POSITIVE_INFINITY,
    urls(keys) {
      // Through an executor, as the former async method: a URIError (lone surrogate) rejects, not throws.
      return new Promise((resolve) => resolve(keys.map((k) => `${base}/${k.split('/').map(encodeURIComponent).join('/')}`)));
    },
  };
}
