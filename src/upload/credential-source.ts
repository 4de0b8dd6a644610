/**
 * The uploader's credentials: static keys that `setCredential` replaces at run time, or any AWS SDK
 * credential provider. The S3 client asks this source before signing every request, so a rotation
 * applies to the next request signed; requests already in flight keep the signature they were sent
 * with (S3 checks it on arrival, not later).
 */

/**
 * AWS credentials (structurally the SDK's `AwsCredentialIdentity`, declared here so the public
 * types depend only on packages s3hls declares).
 */
export interface AwsCredentialIdentity {
  /** The access key id. */
  readonly accessKeyId: string;
  /** The secret key: never printed, logged or put in an event. */
  readonly secretAccessKey: string;
  /** The session token of temporary credentials (STS, IoT), if any. */
  readonly sessionToken?: string | undefined;
  /** When the credentials stop working; absent for long-term keys. */
  readonly expiration?: Date | undefined;
}

/**
 * A credential provider (structurally the SDK's `AwsCredentialIdentityProvider`: every provider of
 * @aws-sdk/credential-providers fits). `forceRefresh` asks it to skip its cache.
 */
export type AwsCredentialIdentityProvider = (options?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;

/** Static credentials or an SDK credential provider. */
export type CredentialsInput = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Refresh a provider's credentials this long before they expire, by default. */
export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** The error a source rejects with when it has nothing to sign with. */
export class CredentialsUnavailableError extends Error {
  /** Classified as a credentials failure (see classify-error.ts). */
  override readonly name = 'CredentialsProviderError';
}

/** A provider function the SDK will not memoize (`memoized: true` tells the SDK we cache ourselves). */
export type SdkCredentialProvider = AwsCredentialIdentityProvider & { memoized: true };

/** Holds the current credentials and hands them to the SDK. */
export class CredentialSource {
  private static_: AwsCredentialIdentity | undefined;
  private provider: AwsCredentialIdentityProvider | undefined;
  private cached: AwsCredentialIdentity | undefined;
  private pending: Promise<AwsCredentialIdentity> | undefined;
  private forceNext = false;
  private generation = 0;

  /**
   * @param input - static credentials or a provider; absent means the SDK default chain is not used
   *   and every request fails with a credentials error until `set()` is called
   * @param refreshBeforeExpiryMs - refresh a provider's credentials this long before `expiration`
   */
  constructor(
    input: CredentialsInput | undefined,
    private readonly refreshBeforeExpiryMs = DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  ) {
    if (typeof input === 'function') this.provider = input;
    else if (input !== undefined) this.static_ = checkIdentity(input, 'credentials');
  }

  /** Bumped by every `set()`: lets the uploader tell a failure of old credentials from one of new ones. */
  get version(): number {
    return this.generation;
  }

  /** True when the credentials come from a provider (which may fix itself on refresh). */
  get isProvider(): boolean {
    return this.provider !== undefined;
  }

  /**
   * Replaces the credentials (static from now on).
   * @throws TypeError when a field is missing or not a string
   */
  set(identity: AwsCredentialIdentity): void {
    this.static_ = checkIdentity(identity, 'setCredential');
    this.provider = undefined;
    this.cached = undefined;
    this.generation++;
  }

  /** Makes the next request ask the provider again (after the server refused what it gave). */
  invalidate(): void {
    this.forceNext = true;
  }

  /** The function to pass as the S3 client's `credentials`. */
  sdkProvider(): SdkCredentialProvider {
    const fn = (() => this.resolve()) as SdkCredentialProvider;
    fn.memoized = true;
    return fn;
  }

  private async resolve(): Promise<AwsCredentialIdentity> {
    if (this.static_) return this.static_;
    const provider = this.provider;
    if (!provider) throw new CredentialsUnavailableError('no credentials: pass options.credentials or call setCredential()');
    const c = this.cached;
    const fresh = c && !this.forceNext && (c.expiration === undefined || c.expiration.getTime() - Date.now() > this.refreshBeforeExpiryMs);
    if (fresh) return c;
    if (!this.pending) {
      const force = this.forceNext;
      this.forceNext = false;
      this.pending = Promise.resolve(provider(force ? { forceRefresh: true } : undefined))
        .then((id) => {
          this.pending = undefined;
          if (this.provider === provider) this.cached = id;
          return id;
        })
        .catch((err: unknown) => {
          this.pending = undefined;
          // Still valid old credentials beat none while the provider is down.
          if (c && (c.expiration === undefined || c.expiration.getTime() > Date.now())) return c;
          // Only the error's name: provider messages can quote responses.
          const name = err instanceof Error ? err.name : 'Error';
          throw new CredentialsUnavailableError(`credential provider failed (${name})`);
        });
    }
    return this.pending;
  }
}

function checkIdentity(id: AwsCredentialIdentity, option: string): AwsCredentialIdentity {
  if (id === null || typeof id !== 'object') throw new TypeError(`${option} must be { accessKeyId, secretAccessKey, sessionToken? }, got ${id === null ? 'null' : typeof id}`);
  if (typeof id.accessKeyId !== 'string' || id.accessKeyId === '') throw new TypeError(`${option}: accessKeyId must be a non-empty string`);
  if (typeof id.secretAccessKey !== 'string' || id.secretAccessKey === '') throw new TypeError(`${option}: secretAccessKey must be a non-empty string`);
  if (id.sessionToken !== undefined && typeof id.sessionToken !== 'string') throw new TypeError(`${option}: sessionToken must be a string when given`);
  return {
    accessKeyId: id.accessKeyId,
    secretAccessKey: id.secretAccessKey,
    ...(id.sessionToken ? { sessionToken: id.sessionToken } : {}),
    ...(id.expiration ? { expiration: id.expiration } : {}),
  };
}
