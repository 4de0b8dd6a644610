/**
 * The upload queue: one per process, shared by every stream (camera). Each stream's sink hands in
 * segments; the uploader PUTs them to S3 (SigV4 by the SDK), round-robin across streams, at most
 * `concurrency` at a time, and releases each segment's pool space only after S3 acknowledged it.
 *
 * Who retries what (docs/upload.md): the SDK's retry strategy is off (`maxAttempts: 1`); the
 * uploader retries every failure itself, because it must never give up on a segment that is still
 * in the pool (the SDK gives up after 3 attempts), must hold segments while credentials are
 * refused, and must not occupy a concurrency slot while a segment waits for its backoff.
 */
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { validateCameraId } from '../keys/object-keys.js';
import type { Segment, SegmentSink } from '../types.js';
import { unverifiedPut, verifyPutAnswer } from './verify-put.js';
import { classifyPutError, type FailureInfo } from './classify-error.js';
import { CredentialSource } from './credential-source.js';
import { TypedEmitter, type UploaderEvents } from './events.js';
import { FairScheduler } from './fair-scheduler.js';
import { resolveOptions, type ResolvedOptions, type SinkOptions, type UploaderOptions } from './options.js';
import { createS3Client } from './s3-client.js';
import { parseTags, type TagsInput } from './tags.js';
import { newJob, putObjectInput, sinkState, type Job, type SinkState } from './upload-job.js';
import type { DrainReport, UploadStats } from './upload-report.js';
import { OutstandingJobs } from './outstanding-jobs.js';
import { SharedBackoff } from './shared-backoff.js';

export type { DrainReport, PendingSegment, UploadStats } from './upload-report.js';

/** A stream's sink: a {@link SegmentSink} whose tags can change at run time. */
export interface StreamUploadSink extends SegmentSink {
  /** The stream id given to `sinkFor`. */
  readonly streamId: string;
  /**
   * Replaces the tags of segments not yet sent (a segment being retried gets the new tags too).
   * @param tags - `k1=v1&k2=v2` or an object
   * @throws S3HlsError `BAD_TAGS` (the previous tags stay), TypeError for a wrong type
   */
  setTags(tags: TagsInput): void;
  /**
   * Resolves once no PUT attempt of `segment` is reading its `parts`: at once when none is in
   * flight (queued, waiting for a backoff, held for credentials, settled, or never handed in), else
   * when the attempt in flight settles (acknowledged, failed, timed out or aborted). An attempt
   * started later reads `segment.parts` afresh, so a sink that switches `parts` to a copy *before*
   * calling this may give the old bytes back to their pool when it resolves: no attempt reads them
   * any more (docs/reliability.md, "the detach race").
   *
   * @param segment - a segment handed to this sink (the same object)
   * @returns a promise that never rejects
   */
  whenIdle(segment: Segment): Promise<void>;
}

/**
 * The upload queue.
 *
 * @example
 * ```ts
 * const uploader = new Uploader({ bucket: 'footage', region: 'eu-west-1', concurrency: 4 });
 * const sink = uploader.sinkFor('front-door', { prefix: 'cameras/front-door', tags: 'site=paris' });
 * uploader.on('error', (e) => console.warn(e.code, e.message));
 * // stream.pipe(sink) ... on shutdown:
 * const report = await uploader.drain({ timeoutMs: 10_000 });
 * await uploader.close();
 * ```
 */
export class Uploader {
  private readonly opts: ResolvedOptions;
  private readonly client: S3Client;
  /** Named in UNVERIFIED_PUT messages (no credentials in it). */
  private readonly endpointName: string;
  /** Destroys the uploader's own client; undefined for `options.client`. */
  private readonly destroyClient: (() => void) | undefined;
  private readonly credentials: CredentialSource | undefined;
  private readonly queue: PQueue;
  private readonly scheduler = new FairScheduler<Job>();
  private readonly emitter = new TypedEmitter<UploaderEvents>();
  private readonly sinks = new Map<string, SinkState>();
  private readonly outstanding = new OutstandingJobs();
  private readonly aborts = new Set<AbortController>();
  private readonly backoff: SharedBackoff;
  private active = 0;
  private held = false;
  private closed = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAtMs = Infinity;
  private credTimer: NodeJS.Timeout | undefined;
  /** The `Date` header of the server's last answer and the device clock when it came. */
  private serverDate: { readonly date: string; readonly deviceMs: number } | undefined;
  private counters = { uploadedSegments: 0, uploadedBytes: 0, attempts: 0, transientErrors: 0, credentialErrors: 0, permanentErrors: 0, discardedSegments: 0 };

  /**
   * @param options - see {@link UploaderOptions}
   * @throws TypeError / RangeError naming a bad option and its value
   */
  constructor(options: UploaderOptions) {
    this.opts = resolveOptions(options);
    this.queue = new PQueue({ concurrency: this.opts.concurrency });
    this.backoff = new SharedBackoff(this.opts.baseDelayMs, this.opts.maxDelayMs);
    this.endpointName = options.endpoint ?? (options.client ? 'the configured S3 client' : `S3 ${options.region ?? process.env['AWS_REGION'] ?? 'us-east-1'}`);
    if (options.client) {
      this.client = options.client;
    } else {
      this.credentials = new CredentialSource(options.credentials);
      const own = createS3Client({
        region: options.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? false,
        credentials: this.credentials.sdkProvider(),
        maxSockets: this.opts.maxSockets,
        signPayload: options.signPayload,
        // Object metadata of later PUTs (docs/keys.md, "Clocks"): the server's clock as last seen.
        onServerDate: (date) => {
          this.serverDate = { date, deviceMs: Date.now() };
        },
      });
      this.client = own.client;
      this.destroyClient = () => own.destroy();
    }
  }

  /**
   * The S3 client and bucket the segments go to, for writers of companion objects next to them
   * (the hour index, recordings/hour-index-writer.ts). The client is destroyed by `close()`.
   */
  get store(): { readonly client: S3Client; readonly bucket: string } {
    return { client: this.client, bucket: this.opts.bucket };
  }

  /**
   * Adds a listener. `error` is an ordinary event here: with no listener nothing is thrown.
   * @param event - `uploaded`, `error`, `credentials-needed`, `resumed` or `discarded`
   * @param listener - receives the typed payload
   * @returns a function removing the listener
   */
  on<K extends keyof UploaderEvents>(event: K, listener: (payload: UploaderEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof UploaderEvents>(event: K, listener: (payload: UploaderEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /**
   * The sink of one stream.
   *
   * @param streamId - the stream (camera) id: letters, digits and `. _ - = + @` (it goes into metadata)
   * @param options - key prefix, layout, tags, extra metadata
   * @returns the sink to hand the stream's segments to
   * @throws TypeError for a bad id, prefix or metadata, or when the id already has an open sink
   * @throws S3HlsError `BAD_TAGS` for invalid tags
   */
  sinkFor(streamId: string, options: SinkOptions): StreamUploadSink {
    if (this.closed) throw new TypeError('sinkFor called after close()');
    validateCameraId(streamId);
    const existing = this.sinks.get(streamId);
    if (existing && !existing.ended) throw new TypeError(`stream ${JSON.stringify(streamId)} already has an open sink (call onEnd first)`);
    const state = sinkState(streamId, options);
    this.sinks.set(streamId, state);
    return {
      streamId,
      onSegment: (segment) => this.accept(state, segment),
      onEnd: () => {
        state.ended = true;
      },
      setTags: (tags) => {
        state.tagsHeader = parseTags(tags).header;
      },
      whenIdle: (segment) => this.outstanding.whenIdle(segment),
    };
  }

  /**
   * Replaces the credentials at run time. PUTs in flight finish with the old ones; a segment whose PUT
   * the server refused is sent again with the new ones. Resumes uploads held for credentials.
   *
   * @param accessKeyId - access key id
   * @param secretAccessKey - secret key (never logged)
   * @param sessionToken - session token of temporary credentials (never logged)
   * @throws TypeError when a value is empty, or when the uploader was given `options.client`
   */
  setCredential(accessKeyId: string, secretAccessKey: string, sessionToken?: string): void {
    if (!this.credentials) throw new TypeError('setCredential is not available with options.client: rotate the credentials of that client');
    this.credentials.set({ accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) });
    if (this.held) this.resume('setCredential');
  }

  /**
   * Waits until every segment handed in (to `streamId`, or to any stream) is settled: uploaded, or
   * discarded under `permanentErrors: 'discard'`. Never rejects: a timeout or abort resolves with a
   * report of what is left (still held in the pool).
   *
   * @param options - `timeoutMs` (default: no limit), `signal`, `streamId`
   * @returns the report
   */
  async drain(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal; readonly streamId?: string } = {}): Promise<DrainReport> {
    const { timeoutMs, signal, streamId } = options;
    if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0)) throw new RangeError(`drain timeoutMs must be a finite number ≥ 0, got ${timeoutMs}`);
    if (this.outstanding.has(streamId)) await this.outstanding.whenDrained(streamId, timeoutMs, signal);
    return this.outstanding.report(streamId, this.held);
  }

  /** Upload counters. */
  stats(): UploadStats {
    return { ...this.counters, queued: this.scheduler.size, inFlight: this.active, heldForCredentials: this.held, pendingBytes: this.outstanding.pendingBytes() };
  }

  /**
   * Stops: no new segments are accepted, timers are cleared, PUTs in flight are aborted, the
   * uploader's own client and sockets are closed. Segments not uploaded are NOT released (their
   * pool goes away with the stream). Call `drain` first to upload what is queued. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.credTimer) clearTimeout(this.credTimer);
    for (const ac of this.aborts) ac.abort();
    this.queue.clear();
    await this.queue.onIdle();
    this.outstanding.wakeAll();
    this.destroyClient?.();
  }

  private accept(sink: SinkState, segment: Segment): void {
    if (this.closed) throw new TypeError(`segment ${segment.sequence} of ${sink.streamId} handed in after close()`);
    if (sink.ended) throw new TypeError(`segment ${segment.sequence} of ${sink.streamId} handed in after onEnd()`);
    const job = newJob(sink, segment, this.opts.checksum);
    this.outstanding.add(job);
    this.scheduler.push(job);
    this.pump();
  }

  /** Starts PUTs while slots are free and a segment is ready; arms a timer for the next backoff expiry. */
  private pump(): void {
    if (this.closed || this.held) return;
    // Monotonic clock: a wall clock stepped back (NTP on a camera) must not stall every upload.
    const now = performance.now();
    if (now < this.backoff.gateUntilMs) {
      this.wakeAt(this.backoff.gateUntilMs, now);
      return;
    }
    while (this.active < this.opts.concurrency) {
      const job = this.scheduler.take(now);
      if (!job) break;
      this.active++;
      job.inFlight = true;
      void this.queue.add(() => this.attempt(job));
    }
    if (this.active < this.opts.concurrency) {
      const at = this.scheduler.nextReadyAtMs();
      if (at !== undefined && at > now) this.wakeAt(at, now);
    }
  }

  /** Arms the single wake-up timer for `atMs` unless it is already due earlier. */
  private wakeAt(atMs: number, nowMs: number): void {
    if (atMs >= this.wakeAtMs) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAtMs = atMs;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAtMs = Infinity;
      this.pump();
    }, atMs - nowMs);
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    this.counters.attempts++;
    const credVersion = this.credentials?.version ?? 0;
    const ac = new AbortController();
    this.aborts.add(ac);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, this.opts.requestTimeoutMs);
    let acknowledged = false;
    try {
      const answer = await this.client.send(new PutObjectCommand(putObjectInput(this.opts, job, this.serverDate)), { abortSignal: ac.signal });
      // A 2xx is not proof (issue 10 §1): an unproven answer is a transient failure, retried with backoff.
      const missing = verifyPutAnswer(this.opts.verify, this.opts.checksum, job.checksum, answer, job.segment.parts, this.opts.sse?.type === 'aws:kms');
      if (missing === undefined) acknowledged = true;
      else if (!this.closed) this.failed(job, unverifiedPut(missing, this.endpointName), credVersion);
    } catch (err) {
      if (!this.closed) this.failed(job, classifyPutError(err, timedOut), credVersion);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(ac);
      job.inFlight = false;
      this.active--;
      // The attempt no longer reads the body: the SDK has settled (2xx read, error answer read, or
      // request destroyed on abort/timeout/reset), so a detached segment's pool bytes may go back.
      this.outstanding.attemptSettled(job);
    }
    // Outside the try: a throwing release() (a pool bug) must not be taken for a failed PUT and
    // retried (that would release twice); it rejects this task loudly instead.
    if (acknowledged) this.succeeded(job);
    this.pump();
  }

  private succeeded(job: Job): void {
    this.backoff.succeeded();
    this.counters.uploadedSegments++;
    this.counters.uploadedBytes += job.bytes;
    job.segment.release();
    this.emitter.emit('uploaded', {
      streamId: job.streamId,
      key: job.key,
      sequence: job.sequence,
      bytes: job.bytes,
      attempts: job.attempts,
      latencyMs: performance.now() - job.handedAt,
    });
    this.settle(job);
  }

  private failed(job: Job, info: FailureInfo, credVersion: number): void {
    job.lastError = info;
    let retryInMs: number | undefined;
    let willRetry = true;
    if (info.kind === 'credentials') {
      this.counters.credentialErrors++;
      job.notBeforeMs = 0;
      this.scheduler.push(job);
      // Credentials replaced while this PUT was in flight: the new ones get their chance first.
      if ((this.credentials?.version ?? 0) === credVersion && !this.held) this.hold(info.name);
    } else if (info.kind === 'permanent' && this.opts.permanentErrors === 'discard') {
      this.counters.permanentErrors++;
      willRetry = false;
    } else {
      if (info.kind === 'permanent') {
        this.counters.permanentErrors++;
        retryInMs = this.opts.maxDelayMs;
      } else {
        this.counters.transientErrors++;
        retryInMs = this.backoff.delayMs(job.attempts - 1);
        this.backoff.transientFailure(performance.now());
      }
      job.notBeforeMs = performance.now() + retryInMs;
      this.scheduler.push(job);
    }
    this.emitter.emit('error', {
      streamId: job.streamId,
      key: job.key,
      sequence: job.sequence,
      code: info.code,
      name: info.name,
      httpStatus: info.httpStatus,
      message: info.message,
      attempt: job.attempts,
      willRetry,
      retryInMs,
    });
    if (!willRetry) {
      this.counters.discardedSegments++;
      job.segment.release();
      this.emitter.emit('discarded', { streamId: job.streamId, key: job.key, sequence: job.sequence, bytes: job.bytes, code: info.code, name: info.name });
      this.settle(job);
    }
  }

  private hold(reason: string): void {
    this.held = true;
    this.credentials?.invalidate();
    const retryInMs = this.opts.credentialsRetryMs;
    this.credTimer = setTimeout(() => {
      this.credTimer = undefined;
      this.credentials?.invalidate();
      this.resume('retry-timer');
    }, retryInMs);
    this.emitter.emit('credentials-needed', { reason, heldSegments: this.scheduler.size, retryInMs });
  }

  private resume(trigger: 'setCredential' | 'retry-timer'): void {
    if (this.credTimer) clearTimeout(this.credTimer);
    this.credTimer = undefined;
    this.held = false;
    this.emitter.emit('resumed', { trigger, heldSegments: this.scheduler.size });
    this.pump();
  }

  private settle(job: Job): void {
    this.outstanding.delete(job);
    const sink = job.sink;
    if (sink.ended && this.scheduler.sizeOf(sink.streamId) === 0 && !this.outstanding.has(sink.streamId)) {
      this.scheduler.removeIfEmpty(sink.streamId);
    }
    this.outstanding.wakeDrained();
  }
}
