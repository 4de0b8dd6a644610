import t from 'tap';
import { CameraManager, type CameraSpec, type ManagedSource, type ManagedStream } from '../../src/sources/camera-manager.js';
import { FfmpegSource } from '../../src/sources/ffmpeg-source.js';
import type { FrameTarget } from '../../src/sources/frame-target.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { StreamStats } from '../../src/stream/stream-stats.js';
import type { Segment, SegmentSink, VideoFramePack } from '../../src/types.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { hasFfmpeg } from '../helpers/fixtures.js';

/** A stream that records frames and can be told to throw on chosen frames. */
class FakeStream implements ManagedStream {
  frames: number[] = [];
  finalized = false;
  constructor(readonly throwOn: Set<number> = new Set()) {}
  putVideoFrame(p: VideoFramePack): boolean {
    if (this.throwOn.has(p.pts90k!)) throw new TypeError(`boom at ${p.pts90k}`);
    this.frames.push(p.pts90k!);
    return true;
  }
  putAudioFrame(): boolean {
    return true;
  }
  markDiscontinuity(): void {}
  finalize(): void {
    this.finalized = true;
  }
  stats(): StreamStats {
    return { videoFramesIn: this.frames.length } as unknown as StreamStats;
  }
}

/** A source driven by the test: push() delivers a frame; end()/fail() settle run(). */
class FakeSource implements ManagedSource {
  kills = 0;
  #settle!: (e?: Error) => void;
  readonly #done = new Promise<void>((res, rej) => (this.#settle = (e) => (e ? rej(e) : res())));
  constructor(readonly target: FrameTarget) {}
  push(pts: number): boolean {
    return this.target.putVideoFrame({ items: [{ part1: Uint8Array.of(0, 0, 1, 0x65) }], pts90k: pts });
  }
  run(): Promise<unknown> {
    return this.#done;
  }
  async stop(): Promise<void> {
    this.#settle();
  }
  end(): void {
    this.#settle();
  }
  fail(e: Error): void {
    this.#settle(e);
  }
  killChild(): boolean {
    this.kills++;
    return true;
  }
}

function fakeManager(throwOn: Record<string, number[]> = {}, extra: { stallTimeoutMs?: number; watchdogIntervalMs?: number } = {}) {
  const streams = new Map<string, FakeStream>();
  const sources = new Map<string, FakeSource>();
  const sinks: string[] = [];
  const m = new CameraManager({
    prefix: 'site',
    stallTimeoutMs: extra.stallTimeoutMs ?? 0,
    watchdogIntervalMs: extra.watchdogIntervalMs ?? 1000,
    sinkFor: (spec, prefix) => {
      sinks.push(`${spec.id}:${prefix}`);
      return { onSegment: (s: Segment) => s.release() };
    },
    createStream: (spec) => {
      const s = new FakeStream(new Set(throwOn[spec.id] ?? []));
      streams.set(spec.id, s);
      return s;
    },
    createSource: (spec, target) => {
      const s = new FakeSource(target);
      sources.set(spec.id, s);
      return s;
    },
  });
  return { m, streams, sources, sinks };
}

t.test('a camera whose stream throws is contained: counted, reported, it goes on; the others see every frame', async (t) => {
  const { m, streams, sources, sinks } = fakeManager({ b: [2] });
  const errors: string[] = [];
  m.on('camera-error', (id, e) => errors.push(`${id}:${e.message}`));
  m.add({ id: 'a', input: 'x' });
  m.add({ id: 'b', input: 'y', prefix: 'custom/b' });
  t.same(sinks, ['a:site/a', 'b:custom/b'], 'default prefix is <manager prefix>/<id>');
  for (let i = 1; i <= 4; i++) {
    sources.get('a')!.push(i);
    t.doesNotThrow(() => sources.get('b')!.push(i));
  }
  t.same(streams.get('a')!.frames, [1, 2, 3, 4]);
  t.same(streams.get('b')!.frames, [1, 3, 4], 'b went on after the throw');
  t.same(errors, ['b:boom at 2']);
  t.equal(m.list().find((c) => c.id === 'b')!.errors, 1);
  t.throws(() => m.add({ id: 'a', input: 'z' }), { name: 'TypeError', message: /already running/ });
  t.throws(() => m.add({ id: 'bad/id', input: 'z' }), TypeError);
  await m.stopAll();
  t.ok(streams.get('a')!.finalized && streams.get('b')!.finalized, 'stopAll finalizes every stream');
  t.same(m.list(), []);
});

t.test('a source that fails marks only its camera failed and finalizes its stream; add/remove at run time', async (t) => {
  const { m, streams, sources } = fakeManager();
  const failed: string[] = [];
  m.on('camera-failed', (id, e) => failed.push(`${id}:${e.message}`));
  const doneA = m.add({ id: 'a', input: 'x' });
  m.add({ id: 'b', input: 'y' });
  sources.get('a')!.fail(new Error('ffmpeg failed 5 times'));
  await doneA;
  t.same(failed, ['a:ffmpeg failed 5 times']);
  t.equal(streams.get('a')!.finalized, true);
  t.same(
    m.list().map((c) => [c.id, c.state]),
    [
      ['a', 'failed'],
      ['b', 'running'],
    ],
  );
  sources.get('b')!.push(1);
  m.add({ id: 'a', input: 'x2' }); // a failed camera's id can be added again
  sources.get('a')!.push(7);
  t.same(streams.get('a')!.frames, [7]);
  await m.remove('b');
  t.same(
    m.list().map((c) => [c.id, c.state]),
    [['a', 'running']],
  );
  await t.rejects(m.remove('nope'), TypeError);
  sources.get('a')!.end();
  await m.settled();
  t.same(
    m.list().map((c) => c.state),
    ['ended'],
  );
  await m.stopAll();
});

t.test('a stalled camera has its child killed (restart), the busy one does not', async (t) => {
  const { m, sources } = fakeManager({}, { stallTimeoutMs: 60, watchdogIntervalMs: 10 });
  const stalled: string[] = [];
  m.on('camera-stalled', (id) => stalled.push(id));
  m.add({ id: 'quiet', input: 'rtsp://cam/quiet' });
  m.add({ id: 'busy', input: 'rtsp://cam/busy' });
  m.add({ id: 'file', input: 'clip.mp4' }); // a file paused by backpressure is never "stalled"
  const busy = setInterval(() => sources.get('busy')!.push(1), 5);
  await new Promise((r) => setTimeout(r, 200));
  clearInterval(busy);
  t.ok(sources.get('quiet')!.kills >= 1, `quiet killed ${sources.get('quiet')!.kills}×`);
  t.equal(sources.get('busy')!.kills, 0);
  t.equal(sources.get('file')!.kills, 0);
  t.ok(stalled.every((id) => id === 'quiet'));
  await m.stopAll();
});

t.test(
  "real cameras (ffmpeg + HlsStream): one crashes, one fails, one is removed — the survivor's segments stay valid",
  { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' },
  async (t) => {
    const segments = new Map<string, Buffer[]>();
    const reasons = new Map<string, (string | undefined)[]>();
    const sources = new Map<string, FfmpegSource>();
    const m = new CameraManager({
      sinkFor: (spec): SegmentSink => ({
        onSegment(s: Segment) {
          const list = segments.get(spec.id) ?? [];
          list.push(Buffer.concat(s.parts));
          segments.set(spec.id, list);
          reasons.set(spec.id, [...(reasons.get(spec.id) ?? []), s.discontinuityReason]);
          s.release();
        },
      }),
      createStream: (spec, sink) => new HlsStream({ streamId: spec.id, sink, targetSegmentSeconds: spec.segmentSeconds ?? 1, poolBytes: 1 << 20 }),
      createSource: (spec, target) => {
        const s = new FfmpegSource(target, { ...spec, restartDelayMs: 50 });
        sources.set(spec.id, s);
        return s;
      },
    });
    const live = (id: string): CameraSpec => ({
      id,
      input: `testsrc2=size=160x120:rate=25`,
      inputArgs: ['-f', 'lavfi'],
      encoder: 'libx264',
      keyframeSeconds: 1,
      realtime: true,
      live: true,
      audio: false,
    });
    const failed: string[] = [];
    m.on('camera-failed', (id) => failed.push(id));
    m.add(live('survivor'));
    m.add(live('crashy'));
    m.add(live('removed'));
    m.add({ id: 'broken', input: '/nonexistent/clip.mp4' });
    await new Promise((r) => setTimeout(r, 1200));
    t.ok(sources.get('crashy')!.killChild(), 'crashy killed');
    await m.remove('removed');
    m.add(live('late')); // added at run time
    await new Promise((r) => setTimeout(r, 1800));
    const before = m.list().find((c) => c.id === 'survivor')!;
    t.equal(before.state, 'running');
    t.same(failed, ['broken']);
    await m.stopAll();
    for (const id of ['survivor', 'crashy', 'late']) {
      const segs = segments.get(id) ?? [];
      t.ok(segs.length >= 1, `${id}: ${segs.length} segments`);
      // Gate each timeline on its own: across a discontinuity timestamps restart, as the playlist says.
      const why = reasons.get(id)!;
      let from = 0;
      for (let i = 1; i <= segs.length; i++) {
        if (i < segs.length && why[i] === undefined) continue;
        const gate = ffmpegGate(segs.slice(from, i));
        t.ok(gate.ok, `${id} segments ${from}..${i - 1} pass the gate ${gate.stderr}`);
        from = i;
      }
    }
    t.ok(reasons.get('crashy')!.slice(1).includes('source-restart'), "the crashed camera's playlist has a source-restart discontinuity");
    t.notOk(
      reasons
        .get('survivor')!
        .slice(1)
        .some((r) => r !== undefined),
      'the survivor has none',
    );
    t.ok((segments.get('survivor') ?? []).length >= 2, "survivor produced through the others' trouble");
  },
);
