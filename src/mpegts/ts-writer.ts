/**
 * Writes one stream's transport stream into its pool: PAT/PMT at each segment start, PCR-only fill
 * packets, and video/audio PES with PCR, timestamps and flags. The segmenter (HlsStream) decides
 * *where* segments start and which frame goes where; this decides *what the bytes say*:
 *
 * - PCR = DTS − mux delay on every video PES (see pcr-clock.ts), so every PES arrives at least the mux
 *   delay before it is decoded;
 * - a timeline whose first DTS is below the mux delay (raw Annex B, timestamps from 0) is written with
 *   all of its PTS/DTS/PCR moved forward by twice the delay — as FFmpeg's output starts at 1.4 s — so
 *   the PCR never has to sit at 0 while the stream advances. The move is constant within a timeline;
 *   the caller's timestamps (segment times, keys) are not changed;
 * - continuity counters per PID, and the state a GOP rollback restores.
 *
 * Per-frame methods keep timestamps in object fields (see pcr-clock.ts: numbers past 2^31 crossing a
 * call boundary are boxed).
 */
import type { ChunkList } from './chunk-list.js';
import { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO, STREAM_ID_AUDIO, STREAM_ID_VIDEO, TS_PACKET_SIZE } from './constants.js';
import { ContinuityCounters } from './continuity-counters.js';
import { PesPacketizer, type PesWrite } from './packetizer.js';
import { PcrClock, type PacketSlots } from './pcr-clock.js';
import { writePat, writePmt } from './psi.js';

/** The pool as the writer sees it (structural: src/mpegts does not import src/pool). */
export interface TsPool extends PacketSlots {
  /** Usable bytes, a multiple of 188. */
  readonly capacity: number;
  /** Offset of the open segment's first packet (its PAT). */
  readonly openStart: number;
}

/** Writer state saved at a segment or GOP start and restored by a rollback. */
export interface WriterMark {
  /** Next continuity_counter of the PAT, PMT, video and audio PIDs. */
  ccPat: number;
  ccPmt: number;
  ccVideo: number;
  ccAudio: number;
  /** Last PCR written (wire ticks), -1 before the first. */
  lastPcr: number;
}

/** Timestamps of the unit being sized/written, caller's clock (90 kHz ticks, no offset). */
export interface UnitTiming {
  /** Presentation time. */
  pts: number;
  /** Decoding time (for audio sizing: the bound PCR fill may not pass). */
  dts: number;
}

/** One stream's TS writer. Size first ({@link TsWriter.videoPackets}/{@link TsWriter.audioPackets}), then write. */
export class TsWriter {
  readonly #pool: TsPool;
  readonly #packetizer: PesPacketizer;
  readonly #cc = new ContinuityCounters();
  readonly #pcr: PcrClock;
  readonly #pes: PesWrite = { pid: PID_VIDEO, streamId: STREAM_ID_VIDEO, pts90k: 0, dts90k: 0, pcr90k: -1, randomAccess: false, discontinuity: false, boundedLength: false };
  readonly #wire: UnitTiming = { pts: 0, dts: 0 };
  /** Ticks added to every PTS/DTS/PCR of the current timeline. */
  #offset = 0;
  #nextOffset = 0;
  #fill = 0;
  /** The open segment's PMT lists the audio track (it is written video-only: see {@link writePsi}). */
  #pmtAudio = false;

  /**
   * @param pool - where packets go
   * @param muxDelayTicks - PCR delay behind DTS (validated by the caller with `muxDelayTicks()`)
   */
  constructor(pool: TsPool, muxDelayTicks: number) {
    this.#pool = pool;
    this.#packetizer = new PesPacketizer(pool.bytes);
    this.#pcr = new PcrClock(muxDelayTicks);
  }

  /** Ticks added on the wire to the current timeline's timestamps (0 unless it started below the mux delay). */
  get offsetTicks(): number {
    return this.#offset;
  }

  /**
   * Sizes a video access unit and settles its PCR (and the PCR-only packets before it).
   * @param payloadBytes - the PES payload size
   * @param t - its PTS/DTS
   * @param timelineStart - it starts a new timeline whose timestamps restart (its offset is chosen here)
   * @param pcrMayStep - the PCR may go back here (a new timeline after the first)
   * @param psi - it starts a segment: PAT and PMT come first
   * @returns packets needed (PSI + fill + PES)
   */
  videoPackets(payloadBytes: number, t: UnitTiming, timelineStart: boolean, pcrMayStep: boolean, psi: boolean): number {
    const delay = this.#pcr.delayTicks;
    this.#nextOffset = timelineStart ? (t.dts < delay ? 2 * delay : 0) : this.#offset;
    const wire = this.#wire;
    wire.pts = t.pts + this.#nextOffset;
    wire.dts = t.dts + this.#nextOffset;
    this.#pcr.set(this.#pes, wire, pcrMayStep);
    this.#fill = this.#pcr.fillCount(this.#pes, pcrMayStep);
    return this.#packetizer.packetCount(payloadBytes, t.dts !== t.pts, true) + this.#fill + (psi ? 2 : 0);
  }

  /** @returns true when the unit last sized by {@link videoPackets} must set discontinuity_indicator (its PCR steps) */
  pcrSteps(): boolean {
    return this.#pcr.steps(this.#pes.pcr90k);
  }

  /** True when the open segment's PMT lists the audio track. */
  get declaresAudio(): boolean {
    return this.#pmtAudio;
  }

  /**
   * Writes PAT and a video-only PMT: a segment's first two packets. The PMT lists video only until
   * an audio PES lands in the segment ({@link writeAudio} rewrites it then), so every PMT lists
   * exactly the tracks present and audio that starts after the first IDR is not lost.
   */
  writePsi(): void {
    const pool = this.#pool;
    writePat(pool.bytes, pool.nextPacket(), this.#cc);
    writePmt(pool.bytes, pool.nextPacket(), this.#cc, { video: true, audio: false });
    this.#pmtAudio = false;
  }

  /**
   * Writes the unit sized by the last {@link videoPackets} call.
   * @param payload - its bytes
   * @param t - the same timing
   * @param idr - it is an IDR access unit (random_access_indicator)
   * @param discontinuity - set discontinuity_indicator (the time base restarts)
   */
  writeVideo(payload: ChunkList, t: UnitTiming, idr: boolean, discontinuity: boolean): void {
    this.#offset = this.#nextOffset;
    this.#pcr.writeFill(this.#pool, this.#cc, this.#fill);
    const pes = this.#pes;
    pes.pid = PID_VIDEO;
    pes.streamId = STREAM_ID_VIDEO;
    pes.pts90k = t.pts + this.#offset;
    pes.dts90k = t.dts + this.#offset;
    pes.randomAccess = idr;
    pes.discontinuity = discontinuity;
    pes.boundedLength = false;
    this.#packetizer.write(this.#pool, this.#cc, pes, payload);
    this.#pcr.last = pes.pcr90k;
  }

  /**
   * Sizes an audio PES. PCR fill follows the audio clock through video gaps but never runs ahead of
   * the video decode time (`t.dts`, the caller's bound): PCR must stay below every later video DTS.
   * @param payloadBytes - the ADTS frames' bytes
   * @param t - `pts` the first frame's PTS, `dts` the PCR bound (≤ next video DTS)
   * @returns packets needed (fill + PES)
   */
  audioPackets(payloadBytes: number, t: UnitTiming): number {
    const wire = this.#wire;
    wire.dts = t.dts + this.#offset;
    this.#pcr.set(this.#pes, wire, false);
    this.#fill = this.#pcr.fillCount(this.#pes, false);
    return this.#packetizer.packetCount(payloadBytes, false, false) + this.#fill;
  }

  /** Writes the audio PES sized by the last {@link audioPackets} call, at PTS `t.pts` (declaring the audio track in the segment's PMT first). */
  writeAudio(payload: ChunkList, t: UnitTiming): void {
    if (!this.#pmtAudio) this.rewritePmt(true);
    this.#pcr.writeFill(this.#pool, this.#cc, this.#fill);
    const pes = this.#pes;
    pes.pid = PID_AUDIO;
    pes.streamId = STREAM_ID_AUDIO;
    pes.pts90k = t.pts + this.#offset;
    pes.dts90k = pes.pts90k;
    pes.pcr90k = -1;
    pes.randomAccess = true; // every AAC frame is an access point (as FFmpeg marks it)
    pes.discontinuity = false;
    pes.boundedLength = true;
    this.#packetizer.write(this.#pool, this.#cc, pes, payload);
  }

  /**
   * Rewrites the open segment's PMT (still in the pool) in place, keeping its continuity counter,
   * so each segment's PMT lists exactly the tracks it carries (the segmenter undeclares audio when
   * all of a segment's audio was rolled back).
   * @param audio - list the audio track
   */
  rewritePmt(audio: boolean): void {
    this.#pmtAudio = audio;
    const pool = this.#pool;
    const at = (pool.openStart + TS_PACKET_SIZE) % pool.capacity; // PAT, then the PMT
    const headerCc = pool.bytes[at + 3];
    const next = this.#cc.peek(PID_PMT);
    writePmt(pool.bytes, at, this.#cc, { video: true, audio });
    pool.bytes[at + 3] = headerCc;
    this.#cc.set(PID_PMT, next);
  }

  /** Saves counters and PCR into `m`. */
  mark(m: WriterMark): void {
    const cc = this.#cc;
    m.ccPat = cc.peek(PID_PAT);
    m.ccPmt = cc.peek(PID_PMT);
    m.ccVideo = cc.peek(PID_VIDEO);
    m.ccAudio = cc.peek(PID_AUDIO);
    m.lastPcr = this.#pcr.last;
  }

  /** Restores what {@link mark} saved: the next packet of each PID repeats the rolled-back one's counter. */
  restore(m: WriterMark): void {
    const cc = this.#cc;
    cc.set(PID_PAT, m.ccPat);
    cc.set(PID_PMT, m.ccPmt);
    cc.set(PID_VIDEO, m.ccVideo);
    cc.set(PID_AUDIO, m.ccAudio);
    this.#pcr.last = m.lastPcr;
  }
}
