/**
 * The uploader's own S3 client: keep-alive agents with bounded sockets, no SDK retries, no SDK
 * checksums (the uploader sends its own), and payload signing only where it protects something.
 *
 * SigV4 normally signs the SHA-256 of the body (`x-amz-content-sha256`): one more pass over every
 * segment (≈ 0.7-1 ms per 1.25 MB here, a third of a PUT's CPU). Over HTTPS with an
 * `x-amz-checksum-*` header that hash is redundant: TLS protects the bytes in transit and S3
 * verifies the checksum (BadDigest otherwise) before it stores them, and the uploader's verification
 * (verify-put.ts) checks S3's echo of it. So by default a request that goes over `https:` *and*
 * carries a checksum header is signed `UNSIGNED-PAYLOAD` (S3 accepts it over HTTPS); plain HTTP,
 * where nothing else protects the body from a middlebox, keeps the signed payload hash.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { SdkCredentialProvider } from './credential-source.js';

/** A client and the agents to destroy with it. */
export interface OwnedClient {
  readonly client: S3Client;
  /** Destroys the client and closes its sockets. */
  destroy(): void;
}

/** Settings of {@link createS3Client}. */
export interface S3ClientSettings {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly credentials: SdkCredentialProvider;
  readonly maxSockets: number;
  /**
   * `true`: always sign the payload hash; `false`: always `UNSIGNED-PAYLOAD`; `undefined` (auto):
   * `UNSIGNED-PAYLOAD` exactly when the request goes over HTTPS with a checksum header.
   */
  readonly signPayload: boolean | undefined;
  /** Extra trusted certificates (PEM) of the HTTPS agent, e.g. the benchmark's self-signed loopback sink. @defaultValue none */
  readonly ca?: string | undefined;
  /** Called with the `Date` header of every answer (success or error). @defaultValue none */
  readonly onServerDate?: ((date: string) => void) | undefined;
}

/** The request fields the payload-signing decision reads. */
export interface SigningRequestView {
  readonly protocol?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * Whether a request is signed `UNSIGNED-PAYLOAD` (see the file comment).
 * @param signPayload - the setting: true, false or undefined (auto)
 * @param req - the request's protocol (`https:` / `http:`) and headers
 * @returns true for `UNSIGNED-PAYLOAD`, false to let the signer hash the body
 */
export function unsignedPayload(signPayload: boolean | undefined, req: SigningRequestView): boolean {
  if (signPayload !== undefined) return !signPayload;
  if (req.protocol !== 'https:' || req.headers === undefined) return false;
  return Object.keys(req.headers).some((h) => h.toLowerCase().startsWith('x-amz-checksum-'));
}

/**
 * Creates the uploader's client.
 * @param s - region, endpoint, credentials, socket bound, payload signing
 * @returns the client and its destructor
 */
export function createS3Client(s: S3ClientSettings): OwnedClient {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: s.maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: s.maxSockets, ...(s.ca !== undefined ? { ca: s.ca } : {}) });
  const client = new S3Client({
    region: s.region,
    ...(s.endpoint !== undefined ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    credentials: s.credentials,
    // The uploader retries (docs/upload.md, "Who retries what").
    maxAttempts: 1,
    // The uploader sends its own x-amz-checksum-* header; with WHEN_REQUIRED the SDK neither adds
    // one nor wraps stream bodies in aws-chunked framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent, httpsAgent },
  });
  if (s.signPayload !== true) {
    // The signer uses an x-amz-content-sha256 header already present instead of hashing the body.
    // At the build step the request has its endpoint's protocol and the serialized checksum header.
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { protocol?: string; headers?: Record<string, string> } | undefined;
        if (req?.headers && unsignedPayload(s.signPayload, req)) req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'build', name: 's3hlsUnsignedPayload' },
    );
  }
  const onDate = s.onServerDate;
  if (onDate !== undefined) {
    const seen = (r: unknown): void => {
      const date = (r as { headers?: Record<string, string | undefined> } | undefined)?.headers?.['date'];
      if (typeof date === 'string' && date !== '') onDate(date);
    };
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          const out = await next(args);
          seen(out.response);
          return out;
        } catch (e) {
          seen((e as { $response?: unknown }).$response);
          throw e;
        }
      },
      { step: 'deserialize', name: 's3hlsServerDate' },
    );
  }
  return {
    client,
    destroy() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
