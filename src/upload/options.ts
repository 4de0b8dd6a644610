/**
 * Options of the {@link Uploader} and their validation. Every unit is in the name; defaults are
 * listed with `@defaultValue`.
 */
import type { S3Client, StorageClass } from '@aws-sdk/client-s3';
import type { KeyLayout } from '../keys/object-keys.js';
import type { UploadChecksum } from './checksum.js';
import { PUT_VERIFY_MODES, type PutVerifyMode } from './verify-put.js';
import type { CredentialsInput } from './credential-source.js';
import type { TagsInput } from './tags.js';

/** Backoff of the uploader's own retries (the SDK's retry strategy is switched off: maxAttempts 1). */
export interface RetryOptions {
  /** First retry delay ceiling, ms. Delay of attempt n = random(0, min(maxDelayMs, baseDelayMs·2^(n-1))) ("full jitter"). @defaultValue 200 */
  readonly baseDelayMs?: number;
  /** Ceiling of any delay, ms; also the retry period of held permanent errors. @defaultValue 20000 */
  readonly maxDelayMs?: number;
  /** Retry period while held for credentials when nobody calls setCredential (a provider may refresh), ms. @defaultValue 30000 */
  readonly credentialsRetryMs?: number;
}

/** Server-side encryption: SSE-S3 or SSE-KMS (with an optional key id; absent = the AWS managed key). */
export type SseOptions = { readonly type: 'AES256' } | { readonly type: 'aws:kms'; readonly keyId?: string };

/** Options of {@link Uploader}. */
export interface UploaderOptions {
  /** Bucket name. */
  readonly bucket: string;
  /** AWS region. @defaultValue process.env.AWS_REGION, else 'us-east-1' */
  readonly region?: string;
  /** Endpoint URL for S3-compatible servers, e.g. `http://127.0.0.1:4568`. @defaultValue AWS */
  readonly endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most S3-compatible servers. @defaultValue false */
  readonly forcePathStyle?: boolean;
  /**
   * Static credentials or a provider (e.g. `fromNodeProviderChain()`, `fromTemporaryCredentials()`,
   * {@link iotCredentialsProvider}). `setCredential` replaces them at run time.
   * @defaultValue none: every PUT is held as a credentials failure until `setCredential`
   */
  readonly credentials?: CredentialsInput;
  /**
   * A client to use instead of the uploader's own. Its credentials, agent and retry strategy are then
   * its own: set `maxAttempts: 1` on it, or its retries stack under the uploader's; `setCredential`
   * is refused (rotate credentials on that client). Excludes region, endpoint, forcePathStyle,
   * credentials, maxSockets.
   */
  readonly client?: S3Client;
  /** PUTs in flight at once, across all streams. Integer 1..256. @defaultValue 2 */
  readonly concurrency?: number;
  /** Deadline of one PUT attempt, from send to response, ms. @defaultValue 30000 */
  readonly requestTimeoutMs?: number;
  /** Backoff of retries. */
  readonly retry?: RetryOptions;
  /** Storage class of the segments (e.g. `STANDARD_IA`). @defaultValue the bucket's default (STANDARD) */
  readonly storageClass?: StorageClass;
  /** Server-side encryption. @defaultValue none requested (the bucket's default encryption applies) */
  readonly sse?: SseOptions;
  /**
   * Checksum sent with every PUT and verified by S3 (`x-amz-checksum-*`), computed over the pool views.
   * @defaultValue 'CRC32'
   */
  readonly checksum?: UploadChecksum;
  /**
   * What a permanent error (NoSuchBucket, AccessDenied, ...) does to a segment: `hold` keeps it in
   * the pool and retries every `retry.maxDelayMs` (the pool fills, the stream drops new frames and
   * counts them: older footage is kept); `discard` releases it and emits `discarded`.
   * @defaultValue 'hold'
   */
  readonly permanentErrors?: 'hold' | 'discard';
  /**
   * How a 2xx answer is proven to have stored the bytes (see `verify-put.ts`): `auto` uses the echoed
   * checksum, else ETag = MD5; `checksum` / `etag` require that proof; `off` trusts any 2xx. An
   * unproven 2xx is an `UNVERIFIED_PUT` error, retried with backoff.
   * @defaultValue 'auto'
   */
  readonly verify?: PutVerifyMode;
  /**
   * Include the body's SHA-256 in the SigV4 signature (`x-amz-content-sha256`). By default (unset)
   * a PUT over HTTPS that carries a `checksum` is signed `UNSIGNED-PAYLOAD` — TLS protects the bytes
   * in transit and S3 verifies the checksum, so the hash only costs a pass over every segment
   * (≈ 0.7-1 ms per 1.25 MB here) — and a PUT over plain HTTP signs the hash. `true` always signs it,
   * `false` never does (refused with `checksum: 'none'`). Bodies of segments that wrap the pool are
   * streams and always go unsigned (the SDK cannot hash a stream before sending it). Not applicable
   * with `client`.
   * @defaultValue unset: unsigned over HTTPS with a checksum, signed over HTTP
   */
  readonly signPayload?: boolean;
  /** Sockets per origin of the uploader's own keep-alive agent. Integer ≥ 1. @defaultValue concurrency + 2 */
  readonly maxSockets?: number;
}

/** Options of one stream's sink. */
export interface SinkOptions {
  /** Key prefix, e.g. `cameras/front-door` (validated: no leading slash, no `..`). */
  readonly prefix: string;
  /** Object tags (`k1=v1&k2=v2` or an object). @defaultValue no tags */
  readonly tags?: TagsInput;
  /** Key layout. @defaultValue 'timeline' */
  readonly layout?: KeyLayout;
  /** Extra user metadata (`x-amz-meta-*`), ASCII keys and values. @defaultValue none */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  readonly bucket: string;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly credentialsRetryMs: number;
  readonly storageClass: StorageClass | undefined;
  readonly sse: SseOptions | undefined;
  readonly checksum: UploadChecksum;
  readonly permanentErrors: 'hold' | 'discard';
  readonly verify: PutVerifyMode;
  readonly maxSockets: number;
}

function int(value: unknown, name: string, min: number, max: number, def: number): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `value` is arbitrary caller input; the message shows it as String() always has
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * Validates options and applies defaults.
 * @throws TypeError / RangeError naming the option and the value received
 */
export function resolveOptions(o: UploaderOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw new TypeError(`options must be an object, got ${o === null ? 'null' : typeof o}`);
  if (typeof o.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(o.bucket)) {
    throw new TypeError(`options.bucket must be an S3 bucket name (3-63 of a-z 0-9 . -), got ${JSON.stringify(o.bucket)}`);
  }
  if (o.client !== undefined) {
    for (const k of ['region', 'endpoint', 'forcePathStyle', 'credentials', 'maxSockets', 'signPayload'] as const) {
      if (o[k] !== undefined) throw new TypeError(`options.${k} cannot be combined with options.client (configure the client instead)`);
    }
  }
  const checksum = o.checksum ?? 'CRC32';
  if (!['CRC32', 'SHA256', 'none'].includes(checksum)) throw new TypeError(`options.checksum must be 'CRC32', 'SHA256' or 'none', got ${JSON.stringify(checksum)}`);
  const permanentErrors = o.permanentErrors ?? 'hold';
  const verify = o.verify ?? 'auto';
  if (!PUT_VERIFY_MODES.includes(verify)) throw new TypeError(`options.verify must be one of ${PUT_VERIFY_MODES.join(', ')}, got ${JSON.stringify(verify)}`);
  if (permanentErrors !== 'hold' && permanentErrors !== 'discard')
    throw new TypeError(`options.permanentErrors must be 'hold' or 'discard', got ${JSON.stringify(permanentErrors)}`);
  if (o.signPayload !== undefined && typeof o.signPayload !== 'boolean') throw new TypeError(`options.signPayload must be a boolean, got ${JSON.stringify(o.signPayload)}`);
  if (o.signPayload === false && checksum === 'none') throw new TypeError("options.signPayload: false needs a checksum ('CRC32' or 'SHA256'), or nothing protects the body");
  if (o.sse !== undefined && o.sse.type !== 'AES256' && o.sse.type !== 'aws:kms')
    throw new TypeError(`options.sse.type must be 'AES256' or 'aws:kms', got ${JSON.stringify((o.sse as { type: unknown }).type)}`);
  const concurrency = int(o.concurrency, 'options.concurrency', 1, 256, 2);
  const baseDelayMs = int(o.retry?.baseDelayMs, 'options.retry.baseDelayMs', 1, 3_600_000, 200);
  const maxDelayMs = int(o.retry?.maxDelayMs, 'options.retry.maxDelayMs', baseDelayMs, 3_600_000, Math.max(20_000, baseDelayMs));
  return {
    bucket: o.bucket,
    concurrency,
    requestTimeoutMs: int(o.requestTimeoutMs, 'options.requestTimeoutMs', 1, 3_600_000, 30_000),
    baseDelayMs,
    maxDelayMs,
    credentialsRetryMs: int(o.retry?.credentialsRetryMs, 'options.retry.credentialsRetryMs', 1, 86_400_000, 30_000),
    storageClass: o.storageClass,
    sse: o.sse,
    checksum,
    permanentErrors,
    verify,
    maxSockets: int(o.maxSockets, 'options.maxSockets', 1, 4096, concurrency + 2),
  };
}
