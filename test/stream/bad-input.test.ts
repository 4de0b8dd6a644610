/**
 * Bad input: each case is a counted drop with a code (or a TypeError for programmer errors), never a
 * crash, and the stream goes on producing valid segments afterwards.
 */
import t, { type Test } from 'tap';
import { ErrorCode } from '../../src/errors.js';
import { HlsStream, type DropEvent } from '../../src/stream/hls-stream.js';
import { MIN_POOL_BYTES } from '../../src/pool/segment-pool.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { CollectSink } from '../helpers/collect-sink.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { checkTransportStream } from '../checker/ts-checker.js';

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it' });
} else {
  const aus = accessUnits(fixture('baseline.h264')).map((nals) => annexB(nals));
  const aac = fixture('sine.aac');
  const firstAdts = aac.subarray(0, ((aac[3] & 3) << 11) | (aac[4] << 3) | (aac[5] >> 5));

  const setup = (poolBytes?: number) => {
    const sink = new CollectSink();
    const stream = new HlsStream({ streamId: 'bad', sink, poolBytes });
    const drops: DropEvent[] = [];
    stream.on('drop', (e) => drops.push(e));
    let pts = 0;
    const good = (i: number) => stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: (pts += 3600) });
    /** Feeds the whole fixture and checks the stream still produces clean segments. */
    const goesOn = (t: Test) => {
      for (let i = 0; i < aus.length; i++) good(i);
      stream.finalize();
      t.ok(sink.segments.length > 0, 'segments still come out');
      const state = { cc: new Map<number, number>() };
      const errors = sink.segments.flatMap((s) => checkTransportStream(s.bytes, { state }).errors);
      t.same(errors, [], 'and they are structurally clean');
      const st = stream.stats();
      t.equal(st.videoFramesIn, st.videoFramesWritten + st.videoFramesDropped, 'every video frame written or counted');
    };
    return { stream, sink, drops, good, goesOn };
  };

  const cases: [string, (s: HlsStream) => boolean, string][] = [
    ['empty pack', (s) => s.putVideoFrame({ items: [], pts90k: 1 }), ErrorCode.EmptyPack],
    ['zero-length parts', (s) => s.putVideoFrame({ items: [{ part1: new Uint8Array(0), part2: new Uint8Array(0) }], pts90k: 1 }), ErrorCode.EmptyPack],
    ['second part without a first', (s) => s.putVideoFrame({ items: [{ part1: new Uint8Array(0), part2: aus[0] }], pts90k: 1 }), ErrorCode.SecondPartWithoutFirst],
    ['item with no start code', (s) => s.putVideoFrame({ items: [{ part1: Uint8Array.of(0x65, 1, 2, 3, 4) }], pts90k: 1 }), ErrorCode.NoStartCode],
    ['garbage bytes before a start code', (s) => s.putVideoFrame({ items: [{ part1: Buffer.concat([Buffer.from('garbage'), aus[0]]) }], pts90k: 1 }), ErrorCode.NoStartCode],
    ['forbidden_zero_bit set', (s) => s.putVideoFrame({ items: [{ part1: Uint8Array.of(0, 0, 0, 1, 0xe5, 1, 2, 3) }], pts90k: 1 }), ErrorCode.BadNalUnit],
    ['no slice at all (SEI only)', (s) => s.putVideoFrame({ items: [{ part1: Uint8Array.of(0, 0, 0, 1, 6, 5, 1, 0x80) }], pts90k: 1 }), ErrorCode.BadNalUnit],
    ['NaN timestamp', (s) => s.putVideoFrame({ items: [{ part1: aus[0] }], pts90k: Number.NaN }), ErrorCode.BadTimestamp],
    ['no timestamp', (s) => s.putVideoFrame({ items: [{ part1: aus[0] }] }), ErrorCode.BadTimestamp],
    ['DTS after PTS', (s) => s.putVideoFrame({ items: [{ part1: aus[0] }], pts90k: 10, dts90k: 20 }), ErrorCode.BadTimestamp],
    ['frame before the first IDR', (s) => s.putVideoFrame({ items: [{ part1: aus[1] }], pts90k: 1 }), ErrorCode.NoKeyframeYet],
    ['audio before any video', (s) => s.putAudioFrame({ items: [{ part1: firstAdts }], pts90k: 1 }), ErrorCode.AudioBeforeVideo],
    ['garbage audio', (s) => s.putAudioFrame({ items: [{ part1: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) }], pts90k: 1 }), ErrorCode.BadAdts],
  ];
  for (const [name, act, code] of cases) {
    t.test(name, async (t) => {
      const { stream, drops, goesOn } = setup();
      t.equal(act(stream), false, 'dropped');
      t.equal(drops.length, 1, 'one drop event');
      t.equal(drops[0]?.code, code, `code ${code}`);
      t.ok((drops[0]?.message ?? '').length > 10, 'with a message naming the problem');
      t.equal(stream.stats().droppedByReason[code], 1, 'counted by reason');
      goesOn(t);
    });
  }

  t.test('a unit larger than the pool', async (t) => {
    const { stream, drops, sink } = setup(MIN_POOL_BYTES);
    t.ok(aus[0].length > MIN_POOL_BYTES, 'the IDR really is larger than the pool');
    t.equal(stream.putVideoFrame({ items: [{ part1: aus[0] }], pts90k: 1 }), false);
    t.equal(drops[0].code, ErrorCode.FrameTooLarge);
    stream.finalize();
    t.equal(sink.segments.length, 0);
  });

  t.test('timestamps going backwards mid-GOP: rest of the GOP dropped, next IDR starts a discontinuity', async (t) => {
    const { stream, sink, drops } = setup();
    for (let i = 0; i < 30; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 900_000 + i * 3600 });
    // Frame 30 (mid-GOP, the fixture's GOP is 25) jumps back to 0.
    for (let i = 30; i < 100; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: (i - 30) * 3600 });
    stream.finalize();
    t.ok(drops.some((d) => d.code === ErrorCode.TimestampDiscontinuity));
    const resets = sink.segments.filter((s) => s.meta.discontinuityReason === 'timestamp-reset');
    t.equal(resets.length, 1, 'one segment starts the new timeline');
    const st = stream.stats();
    t.equal(st.videoFramesWritten + st.videoFramesDropped, 100);
    t.equal(st.videoFramesDropped % 25, 0, 'only whole GOPs dropped');
    const state = { cc: new Map<number, number>() };
    t.same(
      sink.segments.flatMap((s) => checkTransportStream(s.bytes, { state }).errors),
      [],
      'PCR reset flagged with discontinuity_indicator',
    );
  });

  t.test('a forward timestamp jump at an IDR starts a new timeline without dropping', async (t) => {
    const { stream, sink } = setup();
    for (let i = 0; i < 100; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: i * 3600 + (i >= 50 ? 90_000 * 60 : 0) });
    stream.finalize();
    t.equal(stream.stats().videoFramesDropped, 0);
    t.same(
      sink.segments.map((s) => s.meta.discontinuityReason),
      ['start', 'timestamp-jump'],
    );
  });

  t.test('programmer errors throw TypeError', async (t) => {
    const { stream } = setup();
    t.throws(() => stream.putVideoFrame({ items: [{ part1: 'nope' as unknown as Uint8Array }], pts90k: 0 }), TypeError);
    t.throws(() => stream.putVideoFrame({ items: 'x' as unknown as [] }), TypeError);
    stream.finalize();
    t.throws(() => stream.putVideoFrame({ items: [{ part1: aus[0] }], pts90k: 0 }), TypeError, 'after finalize');
    t.throws(() => stream.putAudioFrame({ items: [{ part1: firstAdts }], pts90k: 0 }), TypeError, 'after finalize');
    t.throws(() => new HlsStream({ streamId: '' }), TypeError);
    t.throws(() => new HlsStream({ streamId: 'x', poolBytes: 100 }), RangeError);
    t.throws(() => new HlsStream({ streamId: 'x', targetSegmentSeconds: 0 }), RangeError);
  });
}
