/**
 * Signs more presigned GET URLs like one the SDK already signed, differing only in the object path:
 * AWS Signature Version 4 query-string authentication
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html), computed with
 * node:crypto. A 24-h playlist needs 43,200 URLs; the SDK's getSignedUrl costs ~0.6 ms each (its
 * whole middleware stack runs per call), this ~15 µs.
 *
 * It never guesses: {@link QuerySigner.fromPresignedUrl} re-signs the SDK's own URL and is only
 * used when it reproduces the SDK's signature exactly.
 */
import { createHash, createHmac } from 'node:crypto';

/** RFC 3986 escaping as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** A key as it appears in an S3 URL path: each segment escaped, slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(escapeUri).join('/');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Re-signs a presigned URL's query for other paths on the same host. */
export class QuerySigner {
  readonly #origin: string;
  readonly #host: string;
  readonly #canonicalQuery: string;
  readonly #payloadHash: string;
  readonly #amzDate: string;
  readonly #scope: string;
  readonly #signingKey: Buffer;

  private constructor(u: URL, secretAccessKey: string) {
    const credential = u.searchParams.get('X-Amz-Credential')!.split('/');
    const [date, region, service] = [credential[1], credential[2], credential[3]];
    this.#origin = u.origin;
    this.#host = u.host;
    this.#amzDate = u.searchParams.get('X-Amz-Date')!;
    this.#scope = credential.slice(1).join('/');
    this.#payloadHash = u.searchParams.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
    // §"Canonical query string": every parameter but the signature, sorted by encoded name.
    this.#canonicalQuery = [...u.searchParams]
      .filter(([k]) => k !== 'X-Amz-Signature')
      .map(([k, v]) => [escapeUri(k), escapeUri(v)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    this.#signingKey = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), 'aws4_request');
  }

  /**
   * A signer for URLs like `url`, or undefined when `url` is not a SigV4 presigned URL signing only
   * the host header, or when re-signing it does not give its own signature (other credentials,
   * another canonicalisation): callers then use the SDK for every URL.
   *
   * @param url - a URL from getSignedUrl
   * @param secretAccessKey - the secret of the credentials that signed it
   * @returns the signer or undefined
   */
  static fromPresignedUrl(url: string, secretAccessKey: string): QuerySigner | undefined {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    const p = u.searchParams;
    if (p.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || p.get('X-Amz-SignedHeaders') !== 'host') return undefined;
    if (p.get('X-Amz-Credential')?.split('/').length !== 5 || !p.get('X-Amz-Date') || !p.get('X-Amz-Signature')) return undefined;
    const signer = new QuerySigner(u, secretAccessKey);
    return signer.signature(u.pathname) === p.get('X-Amz-Signature') ? signer : undefined;
  }

  /**
   * The signature of a GET of `path` (already escaped) on this host.
   *
   * @param path - URL path, e.g. `/bucket/cams/door/...ts`
   * @returns lowercase hex signature
   */
  signature(path: string): string {
    const canonicalRequest = `GET\n${path}\n${this.#canonicalQuery}\nhost:${this.#host}\n\nhost\n${this.#payloadHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${this.#amzDate}\n${this.#scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
    return createHmac('sha256', this.#signingKey).update(stringToSign, 'utf8').digest('hex');
  }

  /**
   * A presigned URL for `path`.
   *
   * @param path - URL path, already escaped
   * @returns the full URL
   */
  url(path: string): string {
    return `${this.#origin}${path}?${this.#canonicalQuery}&X-Amz-Signature=${this.signature(path)}`;
  }
}
