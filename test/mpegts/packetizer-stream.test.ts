/**
 * Real H.264 (Debian ffmpeg/libx264) and AAC through our TS writers alone — PAT, PMT, PES packetizer,
 * a PCR on every video PES — cut into segments at IDRs the way the muxer does, then checked by three
 * independent readers: the structural checker (CC and PCR carried across segments), the ffmpeg gate,
 * and mux.js (same PTS/DTS and the same bytes back).
 */
import t, { type Test } from 'tap';
import { ChunkList } from '../../src/mpegts/chunk-list.js';
import { ContinuityCounters } from '../../src/mpegts/continuity-counters.js';
import { PID_AUDIO, PID_VIDEO, STREAM_ID_AUDIO, STREAM_ID_VIDEO } from '../../src/mpegts/constants.js';
import { PesPacketizer, type PesWrite } from '../../src/mpegts/packetizer.js';
import { writePat, writePmt } from '../../src/mpegts/psi.js';
import { accessUnits } from '../helpers/annexb-units.js';
import { demux } from '../helpers/demux.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { fixture, hasFfmpeg, highBframes } from '../helpers/fixtures.js';
import { checkTransportStream, type TsCheckState } from '../checker/ts-checker.js';

if (!hasFfmpeg()) {
  t.fail('ffmpeg is required (apt-get install -y ffmpeg)');
  process.exit(1);
}

const START_CODE = Uint8Array.from([0, 0, 0, 1]);
const WRAP = 2 ** 33;

interface Unit {
  readonly nals: Uint8Array[];
  readonly pts: number;
  readonly dts: number;
}

/** ADTS frames of an .aac file (ISO/IEC 13818-7 §6.2: aac_frame_length is 13 bits at byte 3). */
function adtsFrames(aac: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 7 <= aac.length;) {
    const len = ((aac[o + 3] & 0x03) << 11) | (aac[o + 4] << 3) | (aac[o + 5] >> 5);
    out.push(aac.subarray(o, o + len));
    o += len;
  }
  return out;
}

/** Writes segments: each starts PAT, PMT, IDR video PES; audio follows the video it precedes in time. */
function muxSegments(units: readonly Unit[], audio: readonly { bytes: Uint8Array; pts: number }[]): Uint8Array[] {
  const pool = new Uint8Array(188 * 20_000);
  let slot = 0;
  const cursor = { nextPacket: () => slot++ * 188 };
  const cc = new ContinuityCounters();
  const packetizer = new PesPacketizer(pool);
  const payload = new ChunkList();
  const video: PesWrite = { pid: PID_VIDEO, streamId: STREAM_ID_VIDEO, pts90k: 0, dts90k: 0, pcr90k: 0, randomAccess: false, discontinuity: false, boundedLength: false };
  const sound: PesWrite = { pid: PID_AUDIO, streamId: STREAM_ID_AUDIO, pts90k: 0, dts90k: 0, pcr90k: -1, randomAccess: true, discontinuity: false, boundedLength: true };
  const cuts: number[] = [];
  let a = 0;
  units.forEach((u, i) => {
    const idr = u.nals.some((n) => (n[0] & 0x1f) === 5);
    if (idr && i % 50 === 0) {
      cuts.push(slot);
      writePat(pool, cursor.nextPacket(), cc);
      writePmt(pool, cursor.nextPacket(), cc, { video: true, audio: audio.length > 0 });
    }
    payload.clear();
    for (const n of u.nals) {
      payload.add(START_CODE, 0, 4);
      payload.add(n, 0, n.length);
    }
    video.pts90k = u.pts;
    video.dts90k = u.dts;
    video.pcr90k = u.dts - 9000; // 100 ms before decoding; one PCR per 40 ms frame
    video.randomAccess = idr;
    const n = packetizer.write(cursor, cc, video, payload);
    if (n !== packetizer.packetCount(payload.byteLength, u.dts !== u.pts, true)) throw new Error('packetCount mismatch');
    const nextDts = i + 1 < units.length ? units[i + 1].dts : Infinity;
    for (; a < audio.length && audio[a].pts < nextDts; a++) {
      payload.clear();
      payload.add(audio[a].bytes, 0, audio[a].bytes.length);
      sound.pts90k = sound.dts90k = audio[a].pts;
      packetizer.write(cursor, cc, sound, payload);
    }
  });
  cuts.push(slot);
  return cuts.slice(0, -1).map((c, k) => pool.slice(c * 188, cuts[k + 1] * 188));
}

function verify(t: Test, segments: readonly Uint8Array[], units: readonly Unit[], audio: readonly { bytes: Uint8Array; pts: number }[]): void {
  const state: TsCheckState = { cc: new Map() };
  const checkerErrors: string[] = [];
  const gateFailures: string[] = [];
  segments.forEach((s, k) => {
    const r = checkTransportStream(s, { state });
    checkerErrors.push(...r.errors.map((e) => `segment ${k}: ${e}`));
    const g = ffmpegGate(s);
    if (!g.ok) gateFailures.push(`segment ${k}: ${g.stderr.trim()}`);
  });
  t.same(checkerErrors, [], `${segments.length} segments pass the structural checker, CC and PCR continuous across them`);
  t.same(gateFailures, [], 'every segment passes the ffmpeg gate');
  const total = segments.reduce((n, s) => n + s.length, 0);
  const all = new Uint8Array(total);
  segments.reduce((o, s) => (all.set(s, o), o + s.length), 0);
  const back = demux(all);
  const videoBack = back.filter((p) => p.type === 'video');
  const audioBack = back.filter((p) => p.type === 'audio');
  t.equal(videoBack.length, units.length, 'mux.js finds every video PES');
  t.equal(audioBack.length, audio.length, 'mux.js finds every audio PES');
  let bad = 0;
  videoBack.forEach((p, i) => {
    const u = units[i];
    const sameNals = p.nals.length === u.nals.length && p.nals.every((n, k) => Buffer.compare(n, u.nals[k]) === 0);
    if (p.pts !== u.pts % WRAP || p.dts !== u.dts % WRAP || !sameNals) bad++;
  });
  audioBack.forEach((p, i) => {
    if (p.pts !== audio[i].pts % WRAP || Buffer.compare(p.data, audio[i].bytes) !== 0) bad++;
  });
  t.equal(bad, 0, 'PTS/DTS (mod 2^33) and every payload byte round-trip through mux.js');
}

t.test('baseline H.264 + AAC, 4 s, 2-s segments', async (t) => {
  const units: Unit[] = accessUnits(fixture('baseline.h264')).map((nals, i) => ({ nals, pts: 90_000 + i * 3600, dts: 90_000 + i * 3600 }));
  const audio = adtsFrames(fixture('sine.aac')).map((bytes, i) => ({ bytes, pts: 90_000 + i * 1920 }));
  const segments = muxSegments(units, audio);
  t.equal(segments.length, 2);
  verify(t, segments, units, audio);
});

t.test('high profile with B-frames (PTS ≠ DTS), timestamps crossing the 33-bit wrap', async (t) => {
  const { annexB, packets } = highBframes();
  const aus = accessUnits(annexB);
  t.equal(aus.length, packets.length, 'one access unit per ffprobe packet');
  // Start 2 s before 2^33: the wrap falls inside the second segment.
  const base = WRAP - 180_000;
  const units: Unit[] = aus.map((nals, i) => ({ nals, pts: base + packets[i].pts, dts: base + packets[i].dts }));
  t.ok(
    units.some((u) => u.dts !== u.pts),
    'DTS fields are written',
  );
  t.ok(units[0].dts < WRAP && units[units.length - 1].dts >= WRAP, 'DTS passes 2^33 during the stream');
  const segments = muxSegments(units, []);
  verify(t, segments, units, []);
});
