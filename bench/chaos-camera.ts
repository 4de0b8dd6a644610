/**
 * The chaos run's camera process: N cameras of real H.264 muxed faster than real time through
 * HlsStream → SpoolingSink(DiskSpool) → Uploader → (the fault proxy) → s3rver. Every segment's
 * sha256 and key go to the journal (fsynced) before the segment is handed on. The parent may SIGKILL
 * this process at any moment; a new one on the same spool directory recovers what was spooled.
 *
 * Protocol: argv[2] is a JSON {@link ChaosCameraArgs}. stdout: one JSON line per event
 * (`ready`, `credentials-needed`, `resumed`, `unverified`, `done`). stdin: JSON lines `{"cmd":"setCredential",
 * "accessKeyId","secretAccessKey","sessionToken"}`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { keyOfSegment } from '../src/keys/object-keys.js';
import { DiskSpool } from '../src/spool/disk-spool.js';
import { SpoolingSink } from '../src/spool/spooling-sink.js';
import { HlsStream } from '../src/stream/hls-stream.js';
import type { Segment, SegmentSink } from '../src/types.js';
import { Uploader, type StreamUploadSink } from '../src/upload/uploader.js';
import { Journal } from './chaos-journal.js';
import { splitAccessUnits, type BenchUnit } from './media-units.js';

/** What the parent passes (argv[2], JSON). */
export interface ChaosCameraArgs {
  /** Run number (1, 2, ...): journal records carry it. */
  readonly run: number;
  readonly endpoint: string;
  readonly bucket: string;
  readonly spoolDir: string;
  readonly spoolQuotaBytes: number;
  readonly journalPath: string;
  readonly videoPath: string;
  readonly cameras: number;
  /** Media seconds each camera streams. */
  readonly mediaSeconds: number;
  /** Media seconds per wall-clock second. */
  readonly speed: number;
  /** Wall clock of the first frame (segment start times and keys derive from it), ms since the epoch. */
  readonly originMs: number;
  /** First PTS of camera 0, 90 kHz ticks; the others are offset so no two cameras mux equal bytes. */
  readonly ptsBase: number;
  readonly poolBytes: number;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
  /** How long to wait for the uploads and the backlog after the last frame, ms. */
  readonly finishTimeoutMs: number;
}

const FRAME_TICKS = 3_600; // 25 fps
const FEED_PERIOD_MS = 20;

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** One camera of the process: its stream, the spooling sink behind it, and how far it was fed. */
interface ChaosCamera {
  readonly id: string;
  readonly stream: HlsStream;
  readonly spooling: SpoolingSink;
  /** Resolves when the spooling sink handed everything of this stream to the uploader and it was stored. */
  readonly endedP: Promise<void>;
  /** Reused for every frame (the stream copies what it keeps). */
  readonly pack: { items: { part1: Uint8Array }[]; pts90k: number };
  fed: number;
  readonly ptsBase: number;
}

/** The uploader of every camera, reporting holds, resumes and UNVERIFIED_PUTs on stdout. */
function createUploader(a: ChaosCameraArgs, errorsByName: Record<string, number>): Uploader {
  const uploader = new Uploader({
    bucket: a.bucket,
    endpoint: a.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { ...a.credentials },
    concurrency: a.concurrency,
    requestTimeoutMs: a.requestTimeoutMs,
    retry: { baseDelayMs: 100, maxDelayMs: 2_000, credentialsRetryMs: 60_000 },
  });
  uploader.on('credentials-needed', (e) => say({ event: 'credentials-needed', reason: e.reason, held: e.heldSegments }));
  uploader.on('resumed', (e) => say({ event: 'resumed', trigger: e.trigger }));
  uploader.on('error', (e) => {
    errorsByName[e.name] = (errorsByName[e.name] ?? 0) + 1;
    // At once (stdout to a pipe is synchronous on Linux): the parent matches each against the proxy's fake-200 answers.
    if (e.code === 'UNVERIFIED_PUT') say({ event: 'unverified', key: e.key });
  });
  createInterface({ input: process.stdin }).on('line', (text) => {
    const cmd = JSON.parse(text) as { cmd: string; accessKeyId: string; secretAccessKey: string; sessionToken: string };
    if (cmd.cmd === 'setCredential') uploader.setCredential(cmd.accessKeyId, cmd.secretAccessKey, cmd.sessionToken);
  });
  return uploader;
}

/**
 * Camera number `c`: HlsStream → journaling sink (the segment's sha256 and key, fsynced, before it
 * goes anywhere) → SpoolingSink(spool) → the uploader's sink.
 */
function createCamera(a: ChaosCameraArgs, c: number, uploader: Uploader, spool: DiskSpool, journal: Journal, firstUnit: BenchUnit): ChaosCamera {
  const id = `cam${c + 1}`;
  const prefix = `chaos/${id}`;
  let ended!: () => void;
  const endedP = new Promise<void>((r) => (ended = r));
  const up: StreamUploadSink = uploader.sinkFor(id, { prefix });
  // The uploader's sink, telling us when the spooling sink finished everything of this stream.
  const inner: SegmentSink & { whenIdle(s: Segment): Promise<void> } = {
    onSegment: (s) => up.onSegment(s),
    onEnd: (sid) => {
      up.onEnd?.(sid);
      ended();
    },
    whenIdle: (s) => up.whenIdle(s),
  };
  const spooling = new SpoolingSink({
    spool,
    inner,
    streamId: id,
    prefix,
    releaseAfterMs: 1_000,
    checkIntervalMs: 50,
    onSpooled: (entry) => journal.append({ t: 'spooled', run: a.run, camera: id, key: entry.key }),
  });
  const journaling: SegmentSink = {
    onSegment(s: Segment) {
      const h = createHash('sha256');
      for (const p of s.parts) h.update(p);
      const key = keyOfSegment(prefix, s);
      // Durable before the segment goes anywhere: a kill after this line must not lose it silently.
      journal.append({ t: 'seg', run: a.run, camera: id, seq: s.sequence, key, sha256: h.digest('hex'), bytes: s.byteLength, videoFrames: s.videoFrames, atMs: Date.now() }, true);
      spooling.onSegment(s);
    },
    onEnd: () => spooling.onEnd(),
  };
  const stream = new HlsStream({ streamId: id, sink: journaling, poolBytes: a.poolBytes, mediaTimeOriginMs: a.originMs });
  stream.on('drop', (d) => journal.append({ t: 'drop', run: a.run, camera: id, code: d.code, frames: d.frames, atMs: Date.now() }));
  const pack = { items: [{ part1: firstUnit.bytes }], pts90k: 0 };
  return { id, stream, spooling, endedP, pack, fed: 0, ptsBase: a.ptsBase + c * 1_000 * 90_000 };
}

/** The SpoolingSink counters summed over the cameras. */
function sinkTotals(cameras: readonly ChaosCamera[]): Record<string, number> {
  const t = { spooled: 0, detached: 0, detachWaitedForAttempt: 0, movedToBacklog: 0 };
  for (const cam of cameras) {
    const ss = cam.spooling.stats();
    for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += ss[k];
  }
  return t;
}

/** Feeds every camera `a.speed` times faster than real time until `a.mediaSeconds` of media went in. */
function feed(a: ChaosCameraArgs, cameras: ChaosCamera[], units: readonly BenchUnit[], journal: Journal): Promise<void> {
  const totalFrames = Math.round(a.mediaSeconds * 25);
  const t0 = Date.now();
  return new Promise<void>((done) => {
    const timer = setInterval(() => {
      const now = Date.now();
      const due = Math.min(totalFrames, Math.floor(((now - t0) * a.speed * 25) / 1_000));
      let fedAny = false;
      for (const cam of cameras) {
        if (cam.fed < due) fedAny = true;
        while (cam.fed < due) {
          const u = units[cam.fed % units.length];
          cam.pack.items[0].part1 = u.bytes;
          cam.pack.pts90k = cam.ptsBase + cam.fed * FRAME_TICKS;
          cam.stream.putVideoFrame(cam.pack);
          cam.fed++;
        }
      }
      if (fedAny) {
        journal.append({ t: 'progress', run: a.run, framesFed: Object.fromEntries(cameras.map((c) => [c.id, c.fed])), atMs: now });
      }
      if (due === totalFrames) {
        clearInterval(timer);
        done();
      }
    }, FEED_PERIOD_MS);
  });
}

/**
 * Runs the cameras until their media ends and everything is uploaded (or the timeout).
 * @param a - see {@link ChaosCameraArgs}
 * @returns when done (the process then exits)
 */
export async function runChaosCameras(a: ChaosCameraArgs): Promise<void> {
  const units = splitAccessUnits(readFileSync(a.videoPath));
  const journal = new Journal(a.journalPath);
  const spool = await DiskSpool.open({ directory: a.spoolDir, quotaBytes: a.spoolQuotaBytes });
  const errorsByName: Record<string, number> = {};
  const uploader = createUploader(a, errorsByName);
  const cameras = Array.from({ length: a.cameras }, (_, c) => createCamera(a, c, uploader, spool, journal, units[0]));
  // The parent keeps the last of these: a killed process never says 'done'.
  const sinksTimer = setInterval(() => say({ event: 'sinks', sinks: sinkTotals(cameras) }), 500);
  sinksTimer.unref();
  say({ event: 'ready', units: units.length, recovered: spool.stats().recovered, damaged: spool.stats().damaged });
  await feed(a, cameras, units, journal);
  for (const cam of cameras) cam.stream.finalize();
  clearInterval(sinksTimer);
  let timer: NodeJS.Timeout | undefined;
  const complete = await Promise.race([
    Promise.all(cameras.map((c) => c.endedP)).then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), a.finishTimeoutMs))),
  ]);
  clearTimeout(timer);
  for (const cam of cameras) await cam.spooling.close();
  await uploader.close();
  const st = spool.stats();
  const framesFed = Object.fromEntries(cameras.map((c) => [c.id, c.fed]));
  journal.append({ t: 'done', run: a.run, spoolDropped: st.dropped, spoolDamaged: st.damaged, spoolRecovered: st.recovered, spoolFilesLeft: st.files, complete, framesFed }, true);
  journal.close();
  await spool.close();
  say({
    event: 'done',
    complete,
    sinks: sinkTotals(cameras),
    uploaderErrors: errorsByName,
    uploader: uploader.stats(),
    streams: cameras.map((c) => ({ id: c.id, ...c.stream.stats().droppedByReason })),
  });
}

if (process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  runChaosCameras(JSON.parse(process.argv[2] ?? '{}') as ChaosCameraArgs).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
