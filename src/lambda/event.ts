/**
 * The API Gateway HTTP API (payload format 2.0) event and result, the check that an event has the
 * shape the handler reads, and the Lambda limits the handler enforces.
 */

/** The parts of an API Gateway HTTP API v2 event the handler reads. */
export interface HttpApiEventV2 {
  /** The payload format version (`2.0`). */
  readonly version?: string;
  /** Path as sent, percent-encoded (with the stage name first unless the stage is `$default`). */
  readonly rawPath: string;
  /** The query string as sent, without the `?`. */
  readonly rawQueryString?: string;
  /** Header names in lower case. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** The request's method (and, behind an authorizer, its result). */
  readonly requestContext: {
    readonly http: { readonly method: string };
    /** Set by API Gateway when an authorizer (JWT, Lambda, IAM) admitted the caller. */
    readonly authorizer?: unknown;
  };
}

/** An API Gateway HTTP API v2 result. */
export interface HttpApiResultV2 {
  /** HTTP status. */
  statusCode: number;
  /** Response headers. */
  headers: Record<string, string>;
  /** The body: text, or base64 when `isBase64Encoded`. */
  body: string;
  /** True when `body` is base64 (gzip-encoded answers). */
  isBase64Encoded: boolean;
}

/**
 * Largest `S3HLS_MAX_RANGE_SECONDS`: 24 h. Measured (docs/security.md): a 24 h VOD of 2 s segments
 * with presigned URLs signed by a role (session token in every URL) is ~70 MB of text, ~2.9 MB
 * gzipped and base64-encoded, and takes seconds of CPU to sign; beyond a day it no longer fits a
 * Lambda response (6 MB) even gzipped, nor a sensible timeout.
 */
export const MAX_RANGE_SECONDS_CAP = 86_400;

/**
 * Largest response body the handler returns: Lambda's synchronous response limit is 6 MB
 * (6,291,456 bytes) for the whole JSON result; this leaves room for the headers and envelope.
 */
export const MAX_RESPONSE_BYTES = 6_000_000;

/**
 * Checks that an event has what the handler reads, so a wrong integration (REST API v1 payload, a
 * test event, a direct invoke) gets a 400 naming the problem instead of a TypeError.
 *
 * @param event - whatever the runtime passed
 * @returns undefined when usable, else the reason
 */
export function checkEvent(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return `expected an API Gateway HTTP API (payload 2.0) event object, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`;
  const e = event as Record<string, unknown>;
  if (e['version'] !== undefined && e['version'] !== '2.0')
    return `payload format version ${JSON.stringify(e['version'])} is not supported: configure the integration with payloadFormatVersion 2.0`;
  if (typeof e['rawPath'] !== 'string' || !e['rawPath'].startsWith('/')) return 'rawPath must be a string starting with "/" (payload format 2.0)';
  if (e['rawQueryString'] !== undefined && typeof e['rawQueryString'] !== 'string') return 'rawQueryString must be a string';
  const ctx = e['requestContext'] as { http?: { method?: unknown } } | undefined;
  if (typeof ctx !== 'object' || ctx === null || typeof ctx.http !== 'object' || ctx.http === null || typeof ctx.http.method !== 'string' || ctx.http.method === '')
    return 'requestContext.http.method must be a non-empty string (payload format 2.0)';
  const headers = e['headers'];
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) return 'headers must be an object';
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && typeof v !== 'string') return `header ${JSON.stringify(k)} must be a string`;
  } else if (headers === null) return 'headers must be an object';
  return undefined;
}
