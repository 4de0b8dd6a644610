/**
 * Drives an HlsStream with access units and checks what comes out with independent tools: the
 * structural checker (test/checker), mux.js, and the ffmpeg gate.
 */
import type { Test } from 'tap';
import { HlsStream, type HlsStreamOptions } from '../../src/stream/hls-stream.js';
import { checkTransportStream, type TsCheckState } from '../checker/ts-checker.js';
import { CollectSink, type CollectedSegment } from './collect-sink.js';
import { demux } from './demux.js';
import { ffmpegGate } from './ffmpeg-gate.js';
import { annexB } from './annexb-units.js';

/** An access unit to feed: its NAL units (no start codes) and timestamps. */
export interface TestUnit {
  readonly nals: readonly Uint8Array[];
  readonly pts: number;
  readonly dts: number;
}

/** An ADTS pack to feed, interleaved by timestamp. */
export interface TestAudio {
  readonly bytes: Uint8Array;
  readonly pts: number;
}

/** Muxes units (and audio packs, interleaved in DTS order) as single-part items. */
export function muxUnits(units: readonly TestUnit[], options: Partial<HlsStreamOptions> & { audio?: readonly TestAudio[]; shortStartCodes?: boolean } = {}) {
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'test-cam', sink, ...options });
  const audio = options.audio ?? [];
  let a = 0;
  for (const u of units) {
    while (a < audio.length && audio[a].pts < u.dts) {
      stream.putAudioFrame({ items: [{ part1: audio[a].bytes }], pts90k: audio[a].pts });
      a++;
    }
    stream.putVideoFrame({ items: [{ part1: annexB(u.nals, { shortStartCodes: options.shortStartCodes }) }], pts90k: u.pts, dts90k: u.dts });
  }
  for (; a < audio.length; a++) stream.putAudioFrame({ items: [{ part1: audio[a].bytes }], pts90k: audio[a].pts });
  stream.finalize();
  return { segments: sink.segments, stats: stream.stats() };
}

/**
 * Checks segments against the units that made them: every segment passes the structural checker
 * (CC carried across segments) and the ffmpeg gate; the concatenation demuxes (mux.js) to exactly the
 * input units with the same PTS/DTS and NAL bytes, one AUD first, SPS+PPS before each segment's IDR.
 */
export function verifySegments(t: Test, segments: readonly CollectedSegment[], units: readonly TestUnit[], options: { gate?: boolean; audioFrames?: number } = {}): void {
  const state: TsCheckState = { cc: new Map() };
  let gateFailures = 0;
  let checkerErrors: string[] = [];
  for (const s of segments) {
    t.equal(s.bytes.length % 188, 0, `segment ${s.meta.sequence} is a whole number of packets`);
    const r = checkTransportStream(s.bytes, { state });
    checkerErrors = checkerErrors.concat(r.errors.map((e) => `segment ${s.meta.sequence}: ${e}`));
    if (options.gate !== false) {
      const g = ffmpegGate(s.bytes);
      if (!g.ok) {
        gateFailures++;
        t.fail(`segment ${s.meta.sequence} fails the ffmpeg gate: ${g.stderr}`);
      }
    }
  }
  t.same(checkerErrors, [], 'structural checker finds nothing');
  t.equal(gateFailures, 0, 'every segment passes the ffmpeg gate');
  const video: ReturnType<typeof demux> = [];
  let audioPes = 0;
  for (const s of segments) {
    const pes = demux(s.bytes);
    const v = pes.filter((p) => p.type === 'video');
    audioPes += pes.length - v.length;
    t.ok(v.length > 0 && v[0].keyframe, `segment ${s.meta.sequence} starts with an IDR`);
    const types = v[0].nals.map((n) => n[0] & 0x1f);
    t.ok(
      types[0] === 9 && types.includes(7) && types.includes(8) && types.indexOf(7) < types.indexOf(5) && types.indexOf(8) < types.indexOf(5),
      `segment ${s.meta.sequence} starts AUD, SPS, PPS before the IDR (${types.join(',')})`,
    );
    t.equal(v.length, s.meta.videoFrames, `segment ${s.meta.sequence} video frame count`);
    video.push(...v);
  }
  t.equal(video.length, units.length, 'every unit comes back once');
  let mismatches = 0;
  for (let i = 0; i < Math.min(video.length, units.length); i++) {
    const got = video[i];
    const want = units[i];
    const gotNals = got.nals.slice(1); // our AUD
    const wantNals = want.nals.filter((n) => (n[0] & 0x1f) !== 9);
    const gotTypes = got.nals.map((n) => n[0] & 0x1f);
    const auds = gotTypes.filter((x) => x === 9).length;
    // Inserted SPS/PPS at a segment start appear right after the AUD when the unit lacked them.
    const inserted = gotNals.length - wantNals.length;
    const same =
      got.pts === want.pts &&
      got.dts === want.dts &&
      gotTypes[0] === 9 &&
      auds === 1 &&
      (inserted === 0 || inserted === 2) &&
      wantNals.every((n, k) => Buffer.compare(Buffer.from(n), Buffer.from(gotNals[k + inserted])) === 0);
    if (!same && mismatches++ < 3) t.fail(`unit ${i}: pts ${got.pts}/${want.pts} dts ${got.dts}/${want.dts} types ${gotTypes.join(',')}`);
  }
  t.equal(mismatches, 0, 'PTS, DTS and NAL bytes round-trip through mux.js');
  if (options.audioFrames !== undefined) t.equal(audioPes, options.audioFrames, 'audio PES count');
}
