/**
 * AWS IoT credentials provider: a device's X.509 certificate and key buy temporary AWS credentials
 * over mutual TLS from the IoT credentials endpoint (AWS IoT Core Developer Guide, "Authorizing
 * direct calls to AWS services using AWS IoT Core credential provider"):
 *
 *     GET https://<account-specific>.credentials.iot.<region>.amazonaws.com/role-aliases/<alias>/credentials
 *     x-amzn-iot-thingname: <thing>            (when the role's policy uses thing variables)
 *     → {"credentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}
 *
 * @aws-sdk/credential-providers has no such provider.
 */
import { request } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from './credential-source.js';

/** Options of {@link iotCredentialsProvider}. */
export interface IotCredentialsOptions {
  /** Credentials endpoint host (`xxxx.credentials.iot.eu-west-1.amazonaws.com`) or `https://host[:port]`. */
  readonly endpoint: string;
  /** Role alias name (letters, digits, `= , . @ -`, 1-128). */
  readonly roleAlias: string;
  /** Thing name, sent as `x-amzn-iot-thingname`. @defaultValue not sent */
  readonly thingName?: string;
  /** Device certificate, PEM. */
  readonly cert: string | Buffer;
  /** Device private key, PEM. */
  readonly key: string | Buffer;
  /** CA bundle to verify the endpoint (e.g. Amazon Root CA 1). @defaultValue Node's bundled roots */
  readonly ca?: string | Buffer;
  /** Fetch new credentials this long before the current ones expire, ms. @defaultValue 300000 */
  readonly refreshBeforeExpiryMs?: number;
  /** Deadline of one request, ms. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

/** Why fetching IoT credentials failed (message without any credential). */
export class IotCredentialsError extends Error {
  /** `CredentialsProviderError`, the name the AWS SDK's providers use, so callers can match either. */
  override readonly name = 'CredentialsProviderError';
  /** HTTP status, when a response arrived. */
  readonly httpStatus: number | undefined;
  /**
   * @param message - what failed, never a credential or the response body
   * @param httpStatus - the endpoint's HTTP status, when it answered
   */
  constructor(message: string, httpStatus?: number) {
    super(message);
    this.httpStatus = httpStatus;
  }
}

const ROLE_ALIAS = /^[\w=,.@-]{1,128}$/;
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

function parseEndpoint(endpoint: string): { host: string; port: number } {
  if (typeof endpoint !== 'string' || endpoint === '') throw new TypeError(`endpoint must be a host name or https URL, got ${JSON.stringify(endpoint)}`);
  const url = new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`);
  if (url.protocol !== 'https:') throw new TypeError(`endpoint must use https (mutual TLS), got ${JSON.stringify(endpoint)}`);
  return { host: url.hostname, port: url.port === '' ? 443 : Number(url.port) };
}

/**
 * The identity in the credentials endpoint's 200 answer.
 * @param body - the response body
 * @param status - the HTTP status (carried by the error)
 * @returns the credentials, with their expiration when the body gives one
 * @throws IotCredentialsError for any other shape (the body itself is not quoted: it holds secrets)
 */
function credentialsFromBody(body: Buffer, status: number): AwsCredentialIdentity {
  try {
    const c = (JSON.parse(body.toString('utf8')) as { credentials?: Record<string, unknown> }).credentials;
    if (!c || typeof c['accessKeyId'] !== 'string' || typeof c['secretAccessKey'] !== 'string' || typeof c['sessionToken'] !== 'string') {
      throw new Error('shape');
    }
    const expiration = typeof c['expiration'] === 'string' ? new Date(c['expiration']) : undefined;
    if (expiration && Number.isNaN(expiration.getTime())) throw new Error('expiration');
    return { accessKeyId: c['accessKeyId'], secretAccessKey: c['secretAccessKey'], sessionToken: c['sessionToken'], ...(expiration ? { expiration } : {}) };
  } catch {
    throw new IotCredentialsError('IoT credentials endpoint returned an unexpected body (expected {"credentials":{accessKeyId,secretAccessKey,sessionToken,expiration}})', status);
  }
}

/**
 * A credential provider for the uploader (or any AWS SDK client) backed by the AWS IoT credentials
 * endpoint. Results are cached and fetched again `refreshBeforeExpiryMs` before `expiration`;
 * concurrent calls share one request; `forceRefresh` skips the cache.
 *
 * @param options - endpoint, role alias, thing name, certificate, key, CA
 * @returns an `AwsCredentialIdentityProvider`
 * @throws TypeError for a bad endpoint, role alias, thing name or missing cert/key (at creation);
 *   the provider rejects with {@link IotCredentialsError} when a fetch fails
 * @example
 * ```ts
 * const uploader = new Uploader({ bucket: 'footage', credentials: iotCredentialsProvider({
 *   endpoint: 'c1234.credentials.iot.eu-west-1.amazonaws.com', roleAlias: 's3hls-upload', thingName: 'cam-17',
 *   cert: readFileSync('cam.crt'), key: readFileSync('cam.key'), ca: readFileSync('AmazonRootCA1.pem') }) });
 * ```
 */
export function iotCredentialsProvider(options: IotCredentialsOptions): AwsCredentialIdentityProvider {
  const { host, port } = parseEndpoint(options.endpoint);
  if (typeof options.roleAlias !== 'string' || !ROLE_ALIAS.test(options.roleAlias))
    throw new TypeError(`roleAlias must be 1-128 of letters, digits and _ = , . @ -, got ${JSON.stringify(options.roleAlias)}`);
  if (options.thingName !== undefined && !THING_NAME.test(options.thingName))
    throw new TypeError(`thingName must be 1-128 of letters, digits and : _ -, got ${JSON.stringify(options.thingName)}`);
  if (!options.cert || !options.key) throw new TypeError('cert and key (PEM) are required');
  const refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 300_000;
  if (!Number.isFinite(refreshBeforeExpiryMs) || refreshBeforeExpiryMs < 0) throw new RangeError(`refreshBeforeExpiryMs must be ≥ 0, got ${refreshBeforeExpiryMs}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const path = `/role-aliases/${encodeURIComponent(options.roleAlias)}/credentials`;
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;

  const fetchOnce = (): Promise<AwsCredentialIdentity> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path,
          method: 'GET',
          cert: options.cert,
          key: options.key,
          ...(options.ca ? { ca: options.ca } : {}),
          headers: options.thingName ? { 'x-amzn-iot-thingname': options.thingName } : {},
          timeout: timeoutMs,
          // A fresh TLS session per fetch: fetches are minutes apart.
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => reject(new IotCredentialsError('IoT credentials response interrupted')));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status !== 200) {
              // The error body is a message from AWS; keep only the status (it can echo request data).
              reject(new IotCredentialsError(`IoT credentials endpoint answered HTTP ${status} for role alias ${options.roleAlias}`, status));
              return;
            }
            try {
              resolve(credentialsFromBody(Buffer.concat(chunks), status));
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new IotCredentialsError(`IoT credentials request timed out after ${timeoutMs} ms`)));
      req.on('error', (err: Error) =>
        reject(err instanceof IotCredentialsError ? err : new IotCredentialsError(`IoT credentials request failed: ${(err as NodeJS.ErrnoException).code ?? err.name}`)),
      );
      req.end();
    });

  return async (opts) => {
    const c = cached;
    if (c && !opts?.forceRefresh && (c.expiration === undefined || c.expiration.getTime() - Date.now() > refreshBeforeExpiryMs)) return c;
    if (!pending) {
      pending = fetchOnce().then(
        (id) => {
          pending = undefined;
          cached = id;
          return id;
        },
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
    }
    return pending;
  };
}
