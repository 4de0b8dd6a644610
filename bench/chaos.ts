/**
 * `npm run chaos`: N cameras of real H.264 (the benchmark's ffmpeg input), muxed faster than real
 * time in a child process through HlsStream → SpoolingSink(DiskSpool) → Uploader → a fault-injecting
 * proxy → s3rver, all on 127.0.0.1, under a scripted scenario: random 500 / 503 SlowDown / resets
 * mid-body / resets after the store / stalled answers / `200` answers that store nothing (issue 10 §1:
 * each must be detected as UNVERIFIED_PUT and re-sent), a full outage longer than the pool can hold
 * (the spool takes over), one session-token expiry (403 ExpiredToken until setCredential), and one
 * SIGKILL of the camera process followed by a new one on the same spool directory. Then every
 * object is read back and compared with the journals (bench/chaos-verify.ts).
 *
 * Usage: `npm run chaos [-- --short] [-- --seed N] [-- --keep]`. Exit 0 only when nothing is missing
 * (besides what the SIGKILL took: the open segment, and a segment whose write-ahead had not
 * completed), nothing is stored twice under different keys, nothing is corrupted or unexpected.
 * docs/reliability.md has the scenario and the latest figures.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { ChaosCameraArgs } from './chaos-camera.js';
import { startCameras, type CameraEvent, type CameraProcess } from './chaos-process.js';
import { faultPicker, FULL_SCENARIO, SHORT_SCENARIO, type ChaosScenario } from './chaos-scenarios.js';
import { chaosPassed, formatSummary, matchFake200, type ChaosSummary } from './chaos-summary.js';
import { verifyChaos } from './chaos-verify.js';
import { seededRandom, startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { benchInputs } from './inputs.js';

export { FULL_SCENARIO, SHORT_SCENARIO, type ChaosScenario, type FaultRates } from './chaos-scenarios.js';
export { chaosPassed, formatSummary, type ChaosSummary } from './chaos-summary.js';

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** Fault sequence seed. @defaultValue 20261122 */
  readonly seed?: number;
  /** Keep the work directory (s3rver data, spool, journals). @defaultValue false */
  readonly keep?: boolean;
  /** Progress lines. @defaultValue none */
  readonly log?: (line: string) => void;
}

const BUCKET = 'chaos';
/** Media time origin of the first camera process (2026-11-22 03:00 UTC). */
const ORIGIN1_MS = 1_795_316_400_000;

const s3rverCredentials = (sessionToken: string): ChaosCameraArgs['credentials'] => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken });

/** What the camera processes reported, gathered from their event lines. */
class ChaosEvents {
  /** `credentials-needed` events seen. */
  credentialHolds = 0;
  /** Each process's last SpoolingSink counters (a killed one: its last report, ≤ 0.5 s old). */
  readonly lastSinks = new Map<CameraProcess, Record<string, number>>();
  /** Key → UNVERIFIED_PUT events seen. */
  readonly unverifiedKeys = new Map<string, number>();
  /** The camera process running now. */
  current: CameraProcess | undefined;

  constructor(private readonly log: (line: string) => void) {}

  readonly onEvent = (e: CameraEvent): void => {
    if (e.event === 'credentials-needed') this.credentialHolds++;
    if (e.event === 'unverified' && typeof e['key'] === 'string') {
      this.unverifiedKeys.set(e['key'], (this.unverifiedKeys.get(e['key']) ?? 0) + 1);
      return;
    }
    if ((e.event === 'done' || e.event === 'sinks') && typeof e['sinks'] === 'object' && e['sinks'] !== null)
      this.lastSinks.set(this.current!, e['sinks'] as Record<string, number>);
    if (e.event !== 'ready' && e.event !== 'sinks') this.log(`  camera process: ${JSON.stringify(e)}`);
  };

  /** The SpoolingSink counters summed over the processes. */
  spoolTookOver(): ChaosSummary['spoolTookOver'] {
    const sum = { spooled: 0, detached: 0, detachWaitedForAttempt: 0, movedToBacklog: 0 };
    for (const sk of this.lastSinks.values()) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += sk[k] ?? 0;
    return sum;
  }
}

/** How the camera processes ended. */
interface Runs {
  readonly journals: readonly string[];
  readonly killed: boolean;
  /** `Date.now()` at the SIGKILL, 0 without one. */
  readonly killedAtMs: number;
  readonly runsComplete: boolean;
}

/** Everything a run shares. */
interface Chaos {
  readonly scenario: ChaosScenario;
  readonly work: string;
  readonly proxy: FaultProxy;
  readonly events: ChaosEvents;
  readonly log: (line: string) => void;
  readonly baseArgs: Omit<ChaosCameraArgs, 'run' | 'journalPath' | 'mediaSeconds' | 'originMs' | 'ptsBase' | 'credentials'>;
}

/**
 * Runs a scenario end to end and verifies the bucket.
 *
 * @param scenario - what to do
 * @param options - seed, keep, log
 * @returns the summary (see {@link chaosPassed})
 * @throws Error when ffmpeg is missing (the input is made with it) or a camera process fails to start
 */
export async function runChaos(scenario: ChaosScenario, options: ChaosOptions = {}): Promise<ChaosSummary> {
  const seed = options.seed ?? 20261122;
  const log = options.log ?? (() => {});
  const t0 = Date.now();
  const { videoPath } = benchInputs();
  const work = mkdtempSync(join(tmpdir(), 's3hls-chaos-'));
  const s3dir = join(work, 's3');
  mkdirSync(s3dir);
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const proxy = await startFaultProxy(endpoint);
  proxy.setFaultPicker(faultPicker(scenario, seededRandom(seed)));
  const events = new ChaosEvents(log);
  const baseArgs = {
    endpoint: proxy.endpoint,
    bucket: BUCKET,
    spoolDir: join(work, 'spool'),
    spoolQuotaBytes: scenario.spoolQuotaBytes,
    videoPath,
    cameras: scenario.cameras,
    speed: scenario.speed,
    poolBytes: scenario.poolBytes,
    concurrency: scenario.concurrency,
    requestTimeoutMs: scenario.requestTimeoutMs,
    finishTimeoutMs: scenario.finishTimeoutMs,
  };
  try {
    log(`chaos '${scenario.name}' seed ${seed}: ${scenario.cameras} cameras at ${scenario.speed}x, work dir ${work}`);
    const runs = await runCameraProcesses({ scenario, work, proxy, events, log, baseArgs });
    const fake200 = matchFake200(proxy.log, events.unverifiedKeys, BUCKET, runs.killed ? runs.killedAtMs : undefined);
    log('verifying every object against the journals');
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const verdict = await verifyChaos([...runs.journals], client, BUCKET, runs.killed ? 1 : undefined);
    client.destroy();
    return {
      ...verdict,
      scenario: scenario.name,
      seed,
      elapsedMs: Date.now() - t0,
      killed: runs.killed,
      faultsInjected: faultsInjected(proxy),
      expiredTokenAnswers: proxy.expiredAnswers,
      credentialHolds: events.credentialHolds,
      runsComplete: runs.runsComplete,
      spoolTookOver: events.spoolTookOver(),
      fake200,
    };
  } finally {
    const current = events.current;
    if (current && current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGKILL');
    await proxy.close();
    await server.close();
    if (options.keep !== true) rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The first camera process under the scenario's timed events (outage, token expiry and renewal,
 * SIGKILL), then, after a kill or when the scenario asks, a second one on the same spool directory.
 */
async function runCameraProcesses(c: Chaos): Promise<Runs> {
  const { scenario, work, proxy, events, log, baseArgs } = c;
  const journals = [join(work, 'journal-1.jsonl')];
  const timers: NodeJS.Timeout[] = [];
  let token = 'session-1';
  let killed = false;
  let killedAtMs = 0;
  let runsComplete = true;
  try {
    const first = startCameras(
      { ...baseArgs, run: 1, journalPath: journals[0], mediaSeconds: scenario.run1MediaSeconds, originMs: ORIGIN1_MS, ptsBase: 90_000, credentials: s3rverCredentials(token) },
      events.onEvent,
    );
    events.current = first;
    await Promise.race([first.ready, first.exited.then(() => Promise.reject(new Error(`camera process exited before it was ready: ${first.stderr}`)))]);
    const at = (ms: number, what: string, fn: () => void): void => {
      timers.push(
        setTimeout(() => {
          log(`t+${(ms / 1000).toFixed(1)} s: ${what}`);
          fn();
        }, ms),
      );
    };
    at(scenario.outage.atMs, `outage for ${scenario.outage.durationMs} ms (every connection cut)`, () => proxy.outage(scenario.outage.durationMs));
    at(scenario.expiry.atMs, `session token ${token} expires (403 ExpiredToken)`, () => proxy.expireSessionToken(token));
    at(scenario.expiry.atMs + scenario.expiry.renewAfterMs, 'setCredential with a new session token', () => {
      token = 'session-2';
      events.current?.child.stdin?.write(`${JSON.stringify({ cmd: 'setCredential', ...s3rverCredentials(token) })}\n`);
    });
    if (scenario.killAtMs !== undefined) {
      at(scenario.killAtMs, 'SIGKILL of the camera process', () => {
        killed = true;
        killedAtMs = Date.now();
        first.child.kill('SIGKILL');
      });
    }
    const exit1 = await first.exited;
    if (!killed && (exit1.code !== 0 || !first.complete)) {
      runsComplete = false;
      log(`camera process 1 ended badly (${exit1.code ?? exit1.signal}, complete ${first.complete}): ${first.stderr.slice(-1_000)}`);
    }
    if (killed || scenario.run2MediaSeconds > 0) {
      journals.push(join(work, 'journal-2.jsonl'));
      const origin2 = ORIGIN1_MS + (scenario.run1MediaSeconds + 3_600) * 1_000;
      log('camera process 2: recovers the spool directory and streams on');
      const second = startCameras(
        { ...baseArgs, run: 2, journalPath: journals[1], mediaSeconds: scenario.run2MediaSeconds, originMs: origin2, ptsBase: 900_000_000, credentials: s3rverCredentials(token) },
        events.onEvent,
      );
      events.current = second;
      const exit2 = await second.exited;
      if (exit2.code !== 0 || !second.complete) {
        runsComplete = false;
        log(`camera process 2 ended badly (${exit2.code ?? exit2.signal}, complete ${second.complete}): ${second.stderr.slice(-1_000)}`);
      }
    }
    return { journals, killed, killedAtMs, runsComplete };
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}

/** Requests the proxy answered with each fault (PUTs and others), and its 403 ExpiredToken answers. */
function faultsInjected(proxy: FaultProxy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of proxy.log) if (e.fault !== 'pass') out[e.fault] = (out[e.fault] ?? 0) + 1;
  out['expired-token'] = proxy.expiredAnswers;
  return out;
}

if (process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const argv = process.argv.slice(2);
  const seedAt = argv.indexOf('--seed');
  const scenario = argv.includes('--short') ? SHORT_SCENARIO : FULL_SCENARIO;
  runChaos(scenario, { seed: seedAt >= 0 ? Number(argv[seedAt + 1]) : undefined, keep: argv.includes('--keep'), log: (l) => console.log(l) }).then(
    (s) => {
      console.log(formatSummary(s));
      if (argv.includes('--json')) console.log(JSON.stringify(s));
      process.exit(chaosPassed(s) ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
