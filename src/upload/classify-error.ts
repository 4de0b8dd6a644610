/**
 * Sorting a failed PutObject into what the uploader does next, and describing it without secrets.
 *
 * The SDK's S3 errors carry the server's XML fields as properties: for SignatureDoesNotMatch that
 * includes `StringToSign`, `CanonicalRequest` and `SignatureProvided`. Nothing of the raw error
 * therefore leaves this module: events and S3HlsErrors get only the code, HTTP status and request id.
 */
import { ErrorCode, type ErrorCodeValue } from '../errors.js';

/** What to do after a failed attempt. */
export type FailureKind =
  /** Retry with backoff: 5xx, SlowDown, throttling, resets, timeouts, unknown network errors. */
  | 'transient'
  /** Hold every segment until new credentials arrive. */
  | 'credentials'
  /** Retrying the same request cannot help (NoSuchBucket, AccessDenied, bad request). */
  | 'permanent';

/** A failure, described safely. */
export interface FailureInfo {
  /** What the uploader does about it: retry, hold for credentials, or treat as permanent. */
  readonly kind: FailureKind;
  /** The S3HlsError code matching `kind`. */
  readonly code: ErrorCodeValue;
  /** S3 error code or Node error code, e.g. `SlowDown`, `ECONNRESET`, `TimeoutError`. */
  readonly name: string;
  /** HTTP status, when a response arrived. */
  readonly httpStatus: number | undefined;
  /** One sentence, no secret: name, status, request id and what to do. */
  readonly message: string;
}

/**
 * Every S3 (or SDK/Node) error code the uploader knows, each in exactly one class. One table, so a
 * code cannot be both retryable and permanent (BadDigest used to be in two lists, and the order of
 * the checks decided). Codes not listed are classified by HTTP status.
 */
export const S3_ERROR_KINDS: ReadonlyMap<string, FailureKind> = oneClassEach([
  ...(['ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'InvalidToken', 'SignatureDoesNotMatch', 'TokenRefreshRequired', 'CredentialsProviderError'] as const).map(
    (c) => [c, 'credentials'] as const,
  ),
  // BadDigest (our checksum did not match) is transient: the bytes may have been damaged on the way,
  // and the pool still holds the original to send again. The others are 4xx that clear with time.
  ...(['BadDigest', 'RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'Throttling', 'TooManyRequests'] as const).map((c) => [c, 'transient'] as const),
  ...(
    [
      'NoSuchBucket',
      'AccessDenied',
      'AllAccessDisabled',
      'InvalidBucketName',
      'InvalidArgument',
      'InvalidRequest',
      'InvalidStorageClass',
      'KMS.NotFoundException',
      'KMS.DisabledException',
      'EntityTooLarge',
      'InvalidDigest',
      'MethodNotAllowed',
      'PermanentRedirect',
      'AuthorizationHeaderMalformed',
    ] as const
  ).map((c) => [c, 'permanent'] as const),
]);

/** Builds the table; a code listed twice is a bug in this file, caught when the module loads. */
function oneClassEach(entries: readonly (readonly [string, FailureKind])[]): ReadonlyMap<string, FailureKind> {
  const table = new Map<string, FailureKind>();
  for (const [code, kind] of entries) {
    if (table.has(code)) throw new Error(`classify-error: ${code} is listed as both ${table.get(code)} and ${kind}`);
    table.set(code, kind);
  }
  return table;
}

const SUGGESTION: Record<FailureKind, string> = {
  transient: 'retrying with backoff',
  credentials: 'holding segments until valid credentials arrive (setCredential or the provider)',
  permanent: 'check the bucket name, region and the IAM policy (s3:PutObject, s3:PutObjectTagging, kms:GenerateDataKey for SSE-KMS)',
};

const SAFE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

function field(err: unknown, name: string): unknown {
  return err !== null && typeof err === 'object' ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * Classifies an error thrown by `S3Client.send(PutObjectCommand)`.
 *
 * @param err - what `send` rejected with
 * @param timedOut - true when the uploader's own per-request timer aborted the attempt
 * @returns the kind, code and a message safe to log
 */
export function classifyPutError(err: unknown, timedOut: boolean): FailureInfo {
  const meta = field(err, '$metadata') as { httpStatusCode?: number; requestId?: string } | undefined;
  const httpStatus = typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
  const rawCode = field(err, 'Code') ?? field(err, 'code') ?? field(err, 'name') ?? 'Error';
  // Only primitives can pass SAFE_NAME (an object's String() is '[object Object]', which never did).
  const printable = typeof rawCode === 'string' || typeof rawCode === 'number' || typeof rawCode === 'boolean' || typeof rawCode === 'bigint';
  const rawName = timedOut ? 'TimeoutError' : printable ? String(rawCode) : 'Error';
  const name = SAFE_NAME.test(rawName) ? rawName : 'Error';
  let kind: FailureKind;
  if (timedOut) kind = 'transient';
  else if (S3_ERROR_KINDS.has(name)) kind = S3_ERROR_KINDS.get(name) as FailureKind;
  // A 403 without a recognised code (e.g. a body the SDK could not parse) comes from the signature check.
  else if (httpStatus === 403) kind = 'credentials';
  else if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 429) kind = 'permanent';
  else kind = 'transient';
  const code = kind === 'transient' ? ErrorCode.UploadTransient : kind === 'credentials' ? ErrorCode.CredentialsRefused : ErrorCode.UploadPermanent;
  const requestId = typeof meta?.requestId === 'string' && SAFE_NAME.test(meta.requestId) ? `, request id ${meta.requestId}` : '';
  const status = httpStatus !== undefined ? ` (HTTP ${httpStatus}${requestId})` : '';
  return { kind, code, name, httpStatus, message: `PutObject failed: ${name}${status}; ${SUGGESTION[kind]}` };
}
