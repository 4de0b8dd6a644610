/**
 * A camera process of the chaos run (bench/chaos-camera.ts in a child): its JSON-lines events, its
 * readiness, its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChaosCameraArgs } from './chaos-camera.js';

/** One event line of a camera process. */
export type CameraEvent = { event: string; [k: string]: unknown };

/** A running camera process. */
export interface CameraProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly ready: Promise<void>;
  /** The last 4,000 characters of its stderr. */
  stderr: string;
  /** Its `done` event said every upload and the backlog finished. */
  complete: boolean;
}

/**
 * Starts a camera process.
 * @param args - what it streams, where to, with which credentials
 * @param onEvent - each event line it prints
 * @returns the process
 */
export function startCameras(args: ChaosCameraArgs, onEvent: (e: CameraEvent) => void): CameraProcess {
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
    let e: CameraEvent;
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
