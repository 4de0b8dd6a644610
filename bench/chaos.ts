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
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { ChaosCameraArgs } from './chaos-camera.js';
import { verifyChaos, type ChaosVerdict } from './chaos-verify.js';
import { seededRandom, startFaultProxy, type Fault, type ProxyLogEntry } from './fault-proxy.js';
import { benchInputs } from './inputs.js';

/** Probabilities of each fault per PUT (the rest pass). */
export interface FaultRates {
  readonly error500: number;
  readonly slowdown503: number;
  readonly resetMidBody: number;
  readonly resetAfterStore: number;
  readonly stall: number;
  /** `200` with a made-up ETag, nothing stored. */
  readonly fake200: number;
}

/** A chaos scenario. Times are ms after the first camera process is ready. */
export interface ChaosScenario {
  readonly name: string;
  readonly cameras: number;
  /** Media seconds per wall-clock second. */
  readonly speed: number;
  /** Media seconds the first camera process streams (it is killed before the end when `killAtMs` is set). */
  readonly run1MediaSeconds: number;
  /** SIGKILL of the first process; undefined: no kill, one process. */
  readonly killAtMs: number | undefined;
  /** Media seconds the second process streams after recovering the spool. */
  readonly run2MediaSeconds: number;
  readonly outage: { readonly atMs: number; readonly durationMs: number };
  /** The session token expires at `atMs`; setCredential with a new one `renewAfterMs` later. */
  readonly expiry: { readonly atMs: number; readonly renewAfterMs: number };
  readonly faults: FaultRates;
  /** Besides the random ones, every Nth PUT is answered `200` without storing, so even a short run has some. */
  readonly fake200EveryNthPut: number;
  /** Stream pool, bytes. */
  readonly poolBytes: number;
  readonly spoolQuotaBytes: number;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  /** Per process: how long to wait for uploads and backlog after the last frame, ms. */
  readonly finishTimeoutMs: number;
}

const RANDOM_FAULTS: FaultRates = { error500: 0.04, slowdown503: 0.04, resetMidBody: 0.03, resetAfterStore: 0.02, stall: 0.015, fake200: 0.03 };
const MiB = 1024 * 1024;

/** The `npm run chaos` scenario (about 1.5 minutes here). */
export const FULL_SCENARIO: ChaosScenario = {
  name: 'full',
  cameras: 4,
  speed: 4,
  run1MediaSeconds: 120,
  killAtMs: 22_000,
  run2MediaSeconds: 32,
  outage: { atMs: 3_000, durationMs: 9_000 },
  expiry: { atMs: 14_000, renewAfterMs: 3_000 },
  faults: RANDOM_FAULTS,
  fake200EveryNthPut: 15,
  poolBytes: 4 * MiB,
  spoolQuotaBytes: 4 * 1024 * MiB,
  concurrency: 4,
  requestTimeoutMs: 2_000,
  finishTimeoutMs: 90_000,
};

/** A short scenario for the test: no SIGKILL (test/spool/sigkill.test.ts kills for real). */
export const SHORT_SCENARIO: ChaosScenario = {
  name: 'short',
  cameras: 2,
  speed: 4,
  run1MediaSeconds: 28,
  killAtMs: undefined,
  run2MediaSeconds: 0,
  outage: { atMs: 1_500, durationMs: 3_000 },
  expiry: { atMs: 4_500, renewAfterMs: 2_500 },
  faults: RANDOM_FAULTS,
  fake200EveryNthPut: 15,
  poolBytes: 4 * MiB,
  spoolQuotaBytes: 1024 * MiB,
  concurrency: 4,
  requestTimeoutMs: 2_000,
  finishTimeoutMs: 40_000,
};

/** The result of a chaos run. */
export interface ChaosSummary extends ChaosVerdict {
  readonly scenario: string;
  readonly seed: number;
  readonly elapsedMs: number;
  readonly killed: boolean;
  /** Requests the proxy answered with each fault (PUTs and others). */
  readonly faultsInjected: Readonly<Record<string, number>>;
  readonly expiredTokenAnswers: number;
  /** `credentials-needed` events seen from the camera processes. */
  readonly credentialHolds: number;
  /**
   * The `200`-without-storing answers (issue 10 §1): how many the proxy sent, how many the camera
   * processes reported as UNVERIFIED_PUT for the same key, and how many went unreported because the
   * answer reached a process in its last second before SIGKILL (its segment is re-sent from the spool:
   * `missing` counts it if not).
   */
  readonly fake200: { readonly injected: number; readonly detected: number; readonly unreportedAtKill: number; readonly unreportedMsBeforeKill: readonly number[] };
  /** Whether every process that was not killed finished its uploads and backlog in time. */
  readonly runsComplete: boolean;
  /** SpoolingSink counters summed over the processes (a killed one: its last report, ≤ 0.5 s old). */
  readonly spoolTookOver: { readonly spooled: number; readonly detached: number; readonly detachWaitedForAttempt: number; readonly movedToBacklog: number };
}

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** Fault sequence seed. @defaultValue 20261122 */
  readonly seed?: number;
  /** Keep the work directory (s3rver data, spool, journals). @defaultValue false */
  readonly keep?: boolean;
  /** Progress lines. @defaultValue none */
  readonly log?: (line: string) => void;
}

interface CameraProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly ready: Promise<void>;
  stderr: string;
  complete: boolean;
}

function startCameras(args: ChaosCameraArgs, onEvent: (e: { event: string; [k: string]: unknown }) => void): CameraProcess {
  // Under tap (.ts) the child needs the same TypeScript loader; from dist/ it is plain node.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const script = fileURLToPath(new URL(`./chaos-camera${ext}`, import.meta.url));
  const flags = ext === '.ts' ? process.execArgv.filter((a) => /(^|[=/])tsx(\/|$)|typescript/.test(a)) : [];
  const child = spawn(process.execPath, [...flags, script, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const proc: CameraProcess = { child, exited: undefined as never, ready: undefined as never, stderr: '', complete: false };
  child.stderr.on('data', (c: Buffer) => {
    proc.stderr = (proc.stderr + c.toString()).slice(-4_000);
  });
  let readyResolve!: () => void;
  (proc as { ready: Promise<void> }).ready = new Promise<void>((r) => (readyResolve = r));
  createInterface({ input: child.stdout }).on('line', (text) => {
    let e: { event: string; [k: string]: unknown };
    try {
      e = JSON.parse(text) as typeof e;
    } catch {
      return;
    }
    if (e.event === 'ready') readyResolve();
    if (e.event === 'done') proc.complete = e['complete'] === true;
    onEvent(e);
  });
  (proc as { exited: CameraProcess['exited'] }).exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return proc;
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
  const spoolDir = join(work, 'spool');
  mkdirSync(s3dir);
  const bucket = 'chaos';
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const proxy = await startFaultProxy(endpoint);
  const rnd = seededRandom(seed);
  const f = scenario.faults;
  let puts = 0;
  proxy.setFaultPicker((method): Fault => {
    if (method !== 'PUT') return 'pass';
    let r = rnd();
    if (++puts % scenario.fake200EveryNthPut === 0) return 'fake-200';
    if ((r -= f.error500) < 0) return 'error500';
    if ((r -= f.slowdown503) < 0) return 'slowdown503';
    if ((r -= f.resetMidBody) < 0) return 'reset-mid-body';
    if ((r -= f.resetAfterStore) < 0) return 'reset-after-store';
    if ((r -= f.stall) < 0) return 'stall';
    if (r - f.fake200 < 0) return 'fake-200';
    return 'pass';
  });
  const timers: NodeJS.Timeout[] = [];
  let credentialHolds = 0;
  const lastSinks = new Map<CameraProcess, Record<string, number>>();
  let current: CameraProcess | undefined;
  let token = 'session-1';
  const s3rverCredentials = (t: string): ChaosCameraArgs['credentials'] => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: t });
  const unverifiedKeys = new Map<string, number>();
  const onEvent = (e: { event: string; [k: string]: unknown }): void => {
    if (e.event === 'credentials-needed') credentialHolds++;
    if (e.event === 'unverified' && typeof e['key'] === 'string') {
      unverifiedKeys.set(e['key'], (unverifiedKeys.get(e['key']) ?? 0) + 1);
      return;
    }
    if ((e.event === 'done' || e.event === 'sinks') && typeof e['sinks'] === 'object' && e['sinks'] !== null) lastSinks.set(current!, e['sinks'] as Record<string, number>);
    if (e.event !== 'ready' && e.event !== 'sinks') log(`  camera process: ${JSON.stringify(e)}`);
  };
  const origin1 = 1_795_316_400_000;
  const baseArgs = {
    endpoint: proxy.endpoint,
    bucket,
    spoolDir,
    spoolQuotaBytes: scenario.spoolQuotaBytes,
    videoPath,
    cameras: scenario.cameras,
    speed: scenario.speed,
    poolBytes: scenario.poolBytes,
    concurrency: scenario.concurrency,
    requestTimeoutMs: scenario.requestTimeoutMs,
    finishTimeoutMs: scenario.finishTimeoutMs,
  };
  const journals = [join(work, 'journal-1.jsonl')];
  let killed = false;
  let killedAtMs = 0;
  let runsComplete = true;
  try {
    log(`chaos '${scenario.name}' seed ${seed}: ${scenario.cameras} cameras at ${scenario.speed}x, work dir ${work}`);
    current = startCameras(
      { ...baseArgs, run: 1, journalPath: journals[0], mediaSeconds: scenario.run1MediaSeconds, originMs: origin1, ptsBase: 90_000, credentials: s3rverCredentials(token) },
      onEvent,
    );
    const first = current;
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
      current?.child.stdin?.write(`${JSON.stringify({ cmd: 'setCredential', ...s3rverCredentials(token) })}\n`);
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
      const origin2 = origin1 + (scenario.run1MediaSeconds + 3_600) * 1_000;
      log('camera process 2: recovers the spool directory and streams on');
      current = startCameras(
        { ...baseArgs, run: 2, journalPath: journals[1], mediaSeconds: scenario.run2MediaSeconds, originMs: origin2, ptsBase: 900_000_000, credentials: s3rverCredentials(token) },
        onEvent,
      );
      const exit2 = await current.exited;
      if (exit2.code !== 0 || !current.complete) {
        runsComplete = false;
        log(`camera process 2 ended badly (${exit2.code ?? exit2.signal}, complete ${current.complete}): ${current.stderr.slice(-1_000)}`);
      }
    }
    for (const t of timers) clearTimeout(t);
    const spoolTookOver = { spooled: 0, detached: 0, detachWaitedForAttempt: 0, movedToBacklog: 0 };
    for (const sk of lastSinks.values()) for (const k of Object.keys(spoolTookOver) as (keyof typeof spoolTookOver)[]) spoolTookOver[k] += sk[k] ?? 0;
    const faultsInjected: Record<string, number> = {};
    for (const e of proxy.log) if (e.fault !== 'pass') faultsInjected[e.fault] = (faultsInjected[e.fault] ?? 0) + 1;
    faultsInjected['expired-token'] = proxy.expiredAnswers;
    const fake200 = matchFake200(proxy.log, unverifiedKeys, bucket, killed ? killedAtMs : undefined);
    log('verifying every object against the journals');
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const verdict = await verifyChaos(journals, client, bucket, killed ? 1 : undefined);
    client.destroy();
    return {
      ...verdict,
      scenario: scenario.name,
      seed,
      elapsedMs: Date.now() - t0,
      killed,
      faultsInjected,
      expiredTokenAnswers: proxy.expiredAnswers,
      credentialHolds,
      runsComplete,
      spoolTookOver,
      fake200,
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    if (current && current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGKILL');
    await proxy.close();
    await server.close();
    if (options.keep !== true) rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Matches every fake-200 answer of the proxy with an UNVERIFIED_PUT the camera processes reported
 * for the same key.
 * @param log - the proxy's request log
 * @param reported - key → UNVERIFIED_PUT events seen
 * @param bucket - the bucket (path-style URLs: `/bucket/key?...`)
 * @param killedAtMs - when the first process was killed, undefined without a kill
 * @returns injected, detected, and unreported answers sent in the last second before the kill
 */
function matchFake200(log: readonly ProxyLogEntry[], reported: ReadonlyMap<string, number>, bucket: string, killedAtMs: number | undefined): ChaosSummary['fake200'] {
  const left = new Map(reported);
  let injected = 0;
  let detected = 0;
  let unreportedAtKill = 0;
  const unreportedMsBeforeKill: number[] = [];
  for (const e of log) {
    if (e.fault !== 'fake-200' || e.status !== 200) continue;
    injected++;
    const key = decodeURIComponent((e.url.split('?')[0] ?? '').replace(`/${bucket}/`, ''));
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      detected++;
    } else if (killedAtMs !== undefined && e.answeredAtMs >= killedAtMs - 1_000 && e.answeredAtMs <= killedAtMs) {
      unreportedAtKill++;
      unreportedMsBeforeKill.push(killedAtMs - e.answeredAtMs);
    }
  }
  return { injected, detected, unreportedAtKill, unreportedMsBeforeKill };
}

/**
 * The targets of issue 6 and issue 10 §1: nothing missing (besides the SIGKILL's accounted loss), nothing stored
 * twice under different keys, nothing corrupted or unexpected, every surviving process finished.
 * @param s - a summary
 * @returns true when they hold
 */
export function chaosPassed(s: ChaosSummary): boolean {
  const fakeAccounted = s.fake200.detected + s.fake200.unreportedAtKill === s.fake200.injected;
  return s.missing === 0 && s.storedTwiceUnderDifferentKeys === 0 && s.corrupted === 0 && s.unexpected === 0 && s.runsComplete && s.produced > 0 && fakeAccounted;
}

/**
 * The summary as text.
 * @param s - a summary
 * @returns lines for the terminal (and docs/reliability.md)
 */
export function formatSummary(s: ChaosSummary): string {
  const kv = (o: Readonly<Record<string, number>>): string =>
    Object.entries(o)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const open = Object.values(s.lostAtKill.openSegmentFrames);
  return [
    `scenario ${s.scenario}, seed ${s.seed}, ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `faults injected:              ${kv(s.faultsInjected)}; credential holds ${s.credentialHolds}`,
    `segments produced:            ${s.produced}`,
    `stored (byte-identical):      ${s.stored} (${(s.bytesStored / MiB).toFixed(1)} MiB in the bucket)`,
    `stored twice, different keys: ${s.storedTwiceUnderDifferentKeys}`,
    `200 without storing:          ${s.fake200.injected} answered, ${s.fake200.detected} detected as UNVERIFIED_PUT (${s.fake200.injected > 0 ? Math.round((100 * s.fake200.detected) / s.fake200.injected) : 100} %)${s.fake200.unreportedAtKill > 0 ? `, ${s.fake200.unreportedAtKill} reached the process ${s.fake200.unreportedMsBeforeKill.join('/')} ms before its SIGKILL (re-sent from the spool)` : ''}`,
    `missing:                      ${s.missing}${s.examples.missing.length ? ` e.g. ${s.examples.missing.slice(0, 3).join(' ')}` : ''}`,
    `corrupted:                    ${s.corrupted}${s.examples.corrupted.length ? ` e.g. ${s.examples.corrupted.slice(0, 3).join(' ')}` : ''}`,
    `unexpected objects:           ${s.unexpected}`,
    `lost at SIGKILL:              ${s.killed ? `open segments ${open.length} (${open.join('/')} frames per camera, never handed out); handed out but not yet on disk ${s.lostAtKill.handedOutNotOnDisk}` : 'no kill in this scenario'}`,
    `dropped by policy:            stream frames: ${kv(s.streamDroppedFrames)}; spool segments: ${kv(s.spoolDropped)}`,
    `spool:                        written ${s.spoolTookOver.spooled}, pool space given back: waiting ${s.spoolTookOver.movedToBacklog}, in the uploader ${s.spoolTookOver.detached} (${s.spoolTookOver.detachWaitedForAttempt} waited for a PUT in flight); recovered after restart ${s.spoolRecovered}, damaged ${s.spoolDamaged}`,
    `every surviving process finished its uploads: ${s.runsComplete}`,
    `RESULT: ${chaosPassed(s) ? 'PASS' : 'FAIL'}`,
  ].join('\n');
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
