/**
 * What a chaos run found: the summary, whether it passes (issue 6 and issue 10 §1), the matching of
 * the proxy's `200`-without-storing answers with the UNVERIFIED_PUT reports, and the text printed.
 */
import type { ChaosVerdict } from './chaos-verify.js';
import type { ProxyLogEntry } from './fault-proxy.js';

const MiB = 1024 * 1024;

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

/**
 * Matches every fake-200 answer of the proxy with an UNVERIFIED_PUT the camera processes reported
 * for the same key.
 * @param log - the proxy's request log
 * @param reported - key → UNVERIFIED_PUT events seen
 * @param bucket - the bucket (path-style URLs: `/bucket/key?...`)
 * @param killedAtMs - when the first process was killed, undefined without a kill
 * @returns injected, detected, and unreported answers sent in the last second before the kill
 */
export function matchFake200(log: readonly ProxyLogEntry[], reported: ReadonlyMap<string, number>, bucket: string, killedAtMs: number | undefined): ChaosSummary['fake200'] {
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
