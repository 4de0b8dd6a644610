/**
 * Decides when an upload run cannot succeed and must stop with a one-line reason, instead of
 * retrying forever: refused credentials or permissions, or an endpoint that never answered. The
 * uploader itself retries without end (right for a camera in the field); the CLI adds this policy:
 *
 * - before anything was stored, a refusal (credentials or permanent) or `unreachableAfter`
 *   network failures in a row end the run: the configuration is wrong;
 * - after something was stored, a file input still ends at a refusal (nothing will fix it before
 *   the input is done), while a live input keeps going (credentials may be rotated);
 * - with a disk spool on every camera and live inputs (`outageTolerant`), an endpoint that does not
 *   answer is an outage, not a configuration error: the run goes on spooling and says so once.
 */
import { ErrorCode } from '../errors.js';
import type { CredentialsNeededEvent, UploadErrorEvent } from '../upload/events.js';
import { CliExit, ExitCode } from './exit-codes.js';

/** Error names that mean "no answer from the endpoint". */
const NETWORK_NAMES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
  'RequestTimeout',
  'NetworkingError',
]);

/** Options of {@link UploadMonitor}. */
export interface UploadMonitorOptions {
  /** Live inputs keep going through refusals once something was stored. */
  readonly live: boolean;
  /** Shown in messages: the endpoint URL or "S3". */
  readonly endpointLabel: string;
  readonly bucket: string;
  /** Network failures in a row, before any success, that mean unreachable. @defaultValue 3 */
  readonly unreachableAfter?: number;
  /** Live cameras that all spool to disk: unreachable is reported with `onNotice`, not fatal. @defaultValue false */
  readonly outageTolerant?: boolean;
  /** One-line notices (the outage note of an outage-tolerant run). @defaultValue none */
  readonly onNotice?: (message: string) => void;
  /** Called once with the reason to stop. */
  readonly onFatal: (exit: CliExit) => void;
}

/** Watches uploader events; see the file comment. */
export class UploadMonitor {
  readonly #o: UploadMonitorOptions;
  #stored = 0;
  #networkFailuresInARow = 0;
  #fired = false;
  #noticed = false;

  /** @param options - see {@link UploadMonitorOptions} */
  constructor(options: UploadMonitorOptions) {
    this.#o = options;
  }

  /** A segment was stored. */
  uploaded(): void {
    this.#stored++;
    this.#networkFailuresInARow = 0;
  }

  /** An attempt failed. */
  error(e: UploadErrorEvent): void {
    const { endpointLabel, bucket } = this.#o;
    if (e.code === ErrorCode.CredentialsRefused) {
      this.#refused(`${endpointLabel} refused the credentials (${e.name}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile`);
    } else if (e.code === ErrorCode.UploadPermanent) {
      this.#refused(`${endpointLabel} refused the upload to bucket ${bucket} (${e.name}): check the bucket name, region and s3:PutObject permission`);
    } else if (NETWORK_NAMES.has(e.name)) {
      this.#networkFailuresInARow++;
      if (this.#stored === 0 && this.#networkFailuresInARow >= (this.#o.unreachableAfter ?? 3)) {
        const reason = `cannot reach ${endpointLabel} (${e.name} after ${this.#networkFailuresInARow} attempts)`;
        if (!this.#o.outageTolerant) this.#fire(new CliExit(ExitCode.Unreachable, `${reason}: check --endpoint and the network`));
        else if (!this.#noticed) {
          this.#noticed = true;
          this.#o.onNotice?.(`${reason}: spooling to disk and retrying until it answers (Ctrl-C stops; the spool keeps what was not stored)`);
        }
      }
    }
  }

  /** The uploader holds everything for credentials. */
  credentialsNeeded(e: CredentialsNeededEvent): void {
    this.#refused(`${this.#o.endpointLabel} refused the credentials (${e.reason}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile`);
  }

  #refused(message: string): void {
    if (this.#o.live && this.#stored > 0) return;
    this.#fire(new CliExit(ExitCode.Refused, message));
  }

  #fire(exit: CliExit): void {
    if (this.#fired) return;
    this.#fired = true;
    this.#o.onFatal(exit);
  }
}
