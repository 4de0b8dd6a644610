/**
 * The uploader's own S3 client: keep-alive agents with bounded sockets, no SDK retries, no SDK
 * checksums (the uploader sends its own), optionally unsigned payloads.
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
  readonly signPayload: boolean;
  /** Called with the `Date` header of every answer (success or error). @defaultValue none */
  readonly onServerDate?: ((date: string) => void) | undefined;
}

/**
 * Creates the uploader's client.
 * @param s - region, endpoint, credentials, socket bound, payload signing
 * @returns the client and its destructor
 */
export function createS3Client(s: S3ClientSettings): OwnedClient {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: s.maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: s.maxSockets });
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
  if (!s.signPayload) {
    // The signer uses an x-amz-content-sha256 header already present instead of hashing the body.
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { headers?: Record<string, string> } | undefined;
        if (req?.headers) req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
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
