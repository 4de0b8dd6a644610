/**
 * One camera: frame packs in, MPEG-TS segments out, written once into the stream's own fixed-size
 * pool. No globals: a process runs as many streams as it has cameras.
 *
 * Per video frame: scan the items (no copy), decide whether this IDR starts a segment (cumulative
 * target, like FFmpeg's hlsenc, so durations don't drift), check the pool has room for every packet
 * the frame needs, then write PAT/PMT (segment start), PCR fill packets if needed, and the PES: the
 * payload bytes are copied exactly once, from the caller's buffers into the pool.
 *
 * Drop policy (pool full, frame larger than the pool, timestamps jumping mid-GOP): nothing in the
 * pool is overwritten and no half GOP is emitted. The GOP being written is rolled back (its packets
 * given back to the pool, continuity counters restored), the segment is emitted with the whole GOPs
 * before it, and frames are dropped until the next IDR, which starts a segment marked as a
 * discontinuity. Every dropped frame is counted with its reason (stats().droppedByReason) and
 * reported through the 'drop' event.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, type ErrorCodeValue } from '../errors.js';
import { ContinuityCounters } from '../mpegts/continuity-counters.js';
import { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO, STREAM_ID_AUDIO, STREAM_ID_VIDEO, TS_PACKET_SIZE } from '../mpegts/constants.js';
import { PesPacketizer, type PesWrite } from '../mpegts/packetizer.js';
import { writePat, writePmt } from '../mpegts/psi.js';
import { PcrClock } from '../mpegts/pcr-clock.js';
import { DEFAULT_POOL_BYTES, SegmentPool } from '../pool/segment-pool.js';
import type { AudioFramePack, DiscontinuityReason, Segment, SegmentSink, VideoFramePack } from '../types.js';
import { AudioAssembler } from './audio-assembler.js';
import { checkItems, readTiming } from './pack-validation.js';
import { SegmentClock } from './segment-clock.js';
import type { AnchoredClock } from './anchored-clock.js';
import { StreamCounters, type StreamStats } from './stream-stats.js';
import { VideoAssembler } from './video-assembler.js';

/** Options of one stream. */
export interface HlsStreamOptions {
  /** Camera id; used in stats, events and by sinks (object key prefixes). */
  readonly streamId: string;
  /** Where finished segments go. May also be set later with {@link HlsStream.setSink}. */
  readonly sink?: SegmentSink | undefined;
  /** Pool size in bytes, allocated once. @defaultValue 4 MiB (the reference C SDK's) */
  readonly poolBytes?: number | undefined;
  /** Segment target in seconds; segments are cut at the first IDR at or after each multiple. @defaultValue 2 */
  readonly targetSegmentSeconds?: number | undefined;
  /**
   * Wall-clock of the stream's first frame, ms since the epoch, for inputs processed faster than
   * real time (files): segment times are then this origin plus media time. When absent, the wall
   * clock at the first frame anchors the timeline (live inputs).
   */
  readonly mediaTimeOriginMs?: number | undefined;
  /** A forward timestamp jump larger than this starts a new timeline. @defaultValue 5000 */
  readonly maxTimestampGapMs?: number | undefined;
  /** Wall clock, ms since the epoch (tests inject one). @defaultValue Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * Live clock: monotonic, anchored to the wall clock, re-anchored (discontinuity `clock-step`) when
   * the wall clock steps; share one between the streams of a process (docs/keys.md, "Clocks").
   * @defaultValue one of its own
   */
  readonly clock?: AnchoredClock | undefined;
}

/** A dropped-frames report, from the 'drop' event. */
export interface DropEvent {
  readonly streamId: string;
  readonly kind: 'video' | 'audio';
  readonly code: ErrorCodeValue;
  readonly message: string;
  /** How many frames this report covers (a rolled-back GOP counts all of its frames). */
  readonly frames: number;
}

/** Events of a stream. */
export interface HlsStreamEvents {
  drop: [DropEvent];
  /** A sink threw from onSegment; the segment was released so the pool does not leak. */
  'sink-error': [Error];
}

// PCR rules (DTS minus a delay, non-decreasing, ≤ 100 ms apart) live in src/mpegts/pcr-clock.ts.
/** PTS going back less than this without a DTS is B-frame reordering, not a timestamp reset. */
const MAX_REORDER_TICKS = 90_000;
/** Largest audio PES payload: PES_packet_length (16 bits) counts 3 header bytes + 5 PTS bytes too. */
const MAX_AUDIO_PAYLOAD = 65_535 - 8;

/** Snapshot of the write state at a GOP start, to roll the GOP back when it cannot be completed. */
interface Mark {
  /** Bytes of the open segment written before the mark (0 at the segment start). */
  offset: number;
  ccPat: number;
  ccPmt: number;
  ccVideo: number;
  ccAudio: number;
  lastPcr: number;
  videoFrames: number;
  audioFrames: number;
  pts: number;
}

/** One camera's muxer. See the file comment for the data flow and drop policy. */
export class HlsStream extends EventEmitter<HlsStreamEvents> {
  /** Camera id. */
  readonly streamId: string;
  #sink: SegmentSink | undefined;
  readonly #pool: SegmentPool;
  readonly #packetizer: PesPacketizer;
  readonly #cc = new ContinuityCounters();
  readonly #video = new VideoAssembler();
  readonly #audio = new AudioAssembler();
  readonly #counters = new StreamCounters();
  readonly #clock: SegmentClock;
  readonly #targetTicks: number;
  readonly #maxGapTicks: number;
  readonly #timing = { pts: 0, dts: 0 };
  readonly #pes: PesWrite = { pid: PID_VIDEO, streamId: STREAM_ID_VIDEO, pts90k: 0, dts90k: 0, pcr90k: -1, randomAccess: false, discontinuity: false, boundedLength: false };
  readonly #segMark: Mark = newMark();
  readonly #gopMark: Mark = newMark();

  #finalized = false;
  #started = false; // an IDR with SPS/PPS has been written
  #open = false; // a segment is open (PAT/PMT written)
  #dropping: ErrorCodeValue | undefined; // dropping video until the next IDR, and why
  #pendingDiscontinuity: DiscontinuityReason | undefined = 'start';
  #segHasAudioTrack = false;
  #sequence = 0;
  #mediaSequenceBase = 0;
  #runFirstPts = 0;
  #nextCutPts = 0;
  #lastDts = -1;
  #frameTicks = 3_600; // last DTS step; 25 fps until measured
  readonly #pcr = new PcrClock();
  // The open segment.
  #segFirstPts = 0;
  #segMaxPts = 0;
  #segVideo = 0;
  #segAudio = 0;
  #segDiscontinuity: DiscontinuityReason | undefined;
  #segTimestampDiscontinuity = false;

  /** @throws TypeError/RangeError naming a bad option */
  constructor(options: HlsStreamOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('HlsStream options must be an object');
    if (typeof options.streamId !== 'string' || options.streamId.length === 0) {
      throw new TypeError(`streamId must be a non-empty string, got ${JSON.stringify(options.streamId)}`);
    }
    const target = options.targetSegmentSeconds ?? 2;
    if (!Number.isFinite(target) || target < 0.1 || target > 60) throw new RangeError(`targetSegmentSeconds must be between 0.1 and 60, got ${target}`);
    const gapMs = options.maxTimestampGapMs ?? 5_000;
    if (!Number.isFinite(gapMs) || gapMs <= 0) throw new RangeError(`maxTimestampGapMs must be a positive number, got ${gapMs}`);
    this.streamId = options.streamId;
    this.#sink = options.sink;
    this.#pool = new SegmentPool(options.poolBytes ?? DEFAULT_POOL_BYTES);
    this.#packetizer = new PesPacketizer(this.#pool.bytes);
    this.#targetTicks = Math.round(target * 90_000);
    this.#maxGapTicks = Math.round(gapMs * 90);
    this.#clock = new SegmentClock(options.now ?? Date.now, options.mediaTimeOriginMs, options.clock);
  }

  /** Sets (or replaces) the consumer of finished segments. */
  setSink(sink: SegmentSink): void {
    this.#sink = sink;
  }

  /**
   * Muxes one access unit. The caller may reuse the pack's buffers as soon as this returns.
   *
   * @returns true when the frame was written, false when it was dropped (counted, 'drop' event)
   * @throws TypeError after {@link finalize}, or when the pack is not shaped like a VideoFramePack
   */
  putVideoFrame(pack: VideoFramePack): boolean {
    this.#checkLive('putVideoFrame');
    this.#counters.videoIn++;
    const shape = checkItems(pack?.items, 'pack');
    if (shape !== undefined) return this.#dropVideo(shape, 'pack has no bytes, or a part2 without a part1');
    const t = this.#timing;
    if (!readTiming(pack, t)) return this.#dropVideo(ErrorCode.BadTimestamp, 'pack needs pts90k (and dts90k <= pts90k) or timestampUs, finite and >= 0');
    const video = this.#video;
    const unit = video.assemble(pack.items);
    if (unit.error !== undefined) return this.#dropVideo(unit.error, unit.detail);
    const idr = unit.idr;
    if (!this.#started && !(idr && video.hasParameterSets)) {
      return this.#dropVideo(ErrorCode.NoKeyframeYet, 'waiting for an IDR frame with SPS and PPS before the first segment');
    }
    if (this.#dropping !== undefined && !idr) return this.#dropVideo(this.#dropping, 'dropping to the next IDR frame');
    const { pts, dts } = t;
    if (this.#lastDts >= 0) {
      const step = dts - this.#lastDts;
      if (step < 0 && step > -MAX_REORDER_TICKS && pack.dts90k === undefined && pack.decodeTimestampUs === undefined) {
        // PTS going back a little with no DTS given: a B-frame stream. Writing DTS = PTS would make
        // decode time go backwards; say what is missing instead of calling it a timestamp reset.
        return this.#dropVideo(ErrorCode.MissingDts, 'PTS went back without a DTS: a stream with B-frames needs dts90k (or decodeTimestampUs) on every pack');
      }
      const reason: DiscontinuityReason | undefined = step < 0 ? 'timestamp-reset' : step > this.#maxGapTicks ? 'timestamp-jump' : undefined;
      if (reason !== undefined) {
        this.#pendingDiscontinuity ??= reason;
        if (!idr) {
          // A new timeline cannot start mid-GOP: keep the whole GOPs written, drop to the next IDR.
          this.#overflow(ErrorCode.TimestampDiscontinuity);
          return this.#dropVideo(ErrorCode.TimestampDiscontinuity, `DTS went from ${this.#lastDts} to ${dts} in the middle of a GOP`);
        }
      } else if (step > 0 && this.#dropping === undefined) {
        this.#frameTicks = step; // (after a drop the step spans the dropped frames: not a frame)
      }
    }

    const startsSegment = !this.#open || (idr && (this.#pendingDiscontinuity !== undefined || pts >= this.#nextCutPts - this.#frameTicks / 2));
    const payload = video.buildPayload(startsSegment);
    const hasDts = dts !== pts;
    this.#pcr.set(this.#pes, this.#timing, this.#newTimeline(startsSegment));
    const fill = this.#pcr.fillCount(this.#pes, this.#newTimeline(startsSegment));
    const packets = this.#packetizer.packetCount(payload.byteLength, hasDts, true) + fill + (startsSegment ? 2 : 0);
    if (startsSegment) {
      // The previous segment ends where this IDR starts, unless this IDR is on a new timeline
      // (reset or jump): then it ends one frame after its last frame, as at finalize().
      const newTimeline = this.#open && (pts < this.#segMaxPts || pts - this.#segMaxPts > this.#maxGapTicks);
      this.#finishSegment(newTimeline ? this.#segMaxPts + this.#frameTicks : pts);
    } else if (idr) {
      this.#mark(this.#gopMark, pts);
    }
    if (packets * TS_PACKET_SIZE > this.#pool.capacity) {
      this.#overflow(ErrorCode.FrameTooLarge);
      return this.#dropVideo(ErrorCode.FrameTooLarge, `frame needs ${packets * TS_PACKET_SIZE} bytes of TS, the pool holds ${this.#pool.capacity}`);
    }
    if (!this.#pool.canWrite(packets)) {
      this.#overflow(ErrorCode.PoolFull);
      return this.#dropVideo(ErrorCode.PoolFull, `pool full (${this.#pool.capacity} bytes held by segments not yet released)`);
    }
    if (startsSegment) this.#beginSegment(pts, this.#pes.pcr90k);
    this.#pcr.writeFill(this.#pool, this.#cc, fill);
    const pes = this.#pes;
    pes.pid = PID_VIDEO;
    pes.streamId = STREAM_ID_VIDEO;
    pes.pts90k = pts;
    pes.dts90k = dts;
    pes.randomAccess = idr;
    pes.discontinuity = startsSegment && this.#segTimestampDiscontinuity;
    pes.boundedLength = false;
    this.#packetizer.write(this.#pool, this.#cc, pes, payload);
    this.#pcr.last = pes.pcr90k;
    this.#started = true;
    this.#dropping = undefined;
    this.#lastDts = dts;
    if (pts > this.#segMaxPts) this.#segMaxPts = pts;
    this.#segVideo++;
    this.#counters.videoWritten++;
    return true;
  }

  /**
   * Muxes one pack of ADTS frames into the open segment.
   *
   * @returns true when written, false when dropped (counted, 'drop' event)
   * @throws TypeError after {@link finalize}, or when the pack is not shaped like an AudioFramePack
   */
  putAudioFrame(pack: AudioFramePack): boolean {
    this.#checkLive('putAudioFrame');
    this.#counters.audioIn++;
    const shape = checkItems(pack?.items, 'pack');
    if (shape !== undefined) return this.#dropAudio(shape, 'pack has no bytes, or a part2 without a part1');
    const t = this.#timing;
    if (!readTiming(pack, t)) return this.#dropAudio(ErrorCode.BadTimestamp, 'pack needs pts90k or timestampUs, finite and >= 0');
    const audio = this.#audio.assemble(pack.items);
    if (audio.error !== undefined) return this.#dropAudio(audio.error, audio.detail);
    if (!this.#open) {
      return this.#dropAudio(
        this.#dropping ?? ErrorCode.AudioBeforeVideo,
        this.#dropping !== undefined ? 'no open segment while video is dropped to the next IDR' : 'audio before the first video IDR cannot start a segment',
      );
    }
    if (Math.abs(t.pts - this.#lastDts) > this.#maxGapTicks) {
      return this.#dropAudio(ErrorCode.BadTimestamp, `audio PTS ${t.pts} is more than maxTimestampGapMs from the video timeline (DTS ${this.#lastDts})`);
    }
    const payload = this.#audio.payload;
    if (payload.byteLength > MAX_AUDIO_PAYLOAD) return this.#dropAudio(ErrorCode.FrameTooLarge, `audio pack of ${payload.byteLength} bytes exceeds one PES (${MAX_AUDIO_PAYLOAD})`);
    // PCR fill follows the audio clock through long video gaps, but never runs ahead of the video
    // decode time (audio often leads video by the encoder's lookahead): PCR must stay <= DTS.
    const pes = this.#pes;
    t.dts = Math.min(t.pts, this.#lastDts + this.#frameTicks);
    this.#pcr.set(this.#pes, this.#timing, false);
    const fill = this.#pcr.fillCount(this.#pes, false);
    const packets = this.#packetizer.packetCount(payload.byteLength, false, false) + fill;
    if (!this.#pool.canWrite(packets)) return this.#dropAudio(ErrorCode.PoolFull, 'pool full');
    if (!this.#segHasAudioTrack) this.#rewritePmt(true);
    this.#pcr.writeFill(this.#pool, this.#cc, fill);
    pes.pid = PID_AUDIO;
    pes.streamId = STREAM_ID_AUDIO;
    pes.pts90k = t.pts;
    pes.dts90k = t.pts;
    pes.pcr90k = -1;
    pes.randomAccess = true;
    pes.discontinuity = false;
    pes.boundedLength = true;
    this.#packetizer.write(this.#pool, this.#cc, pes, payload);
    this.#segAudio++;
    this.#counters.audioWritten++;
    return true;
  }

  /**
   * Starts a new timeline at the next IDR (e.g. the source was restarted). The segment it starts is
   * marked with `reason` (EXT-X-DISCONTINUITY in playlists).
   */
  markDiscontinuity(reason: DiscontinuityReason): void {
    this.#checkLive('markDiscontinuity');
    this.#pendingDiscontinuity = reason;
  }

  /** Cuts the open segment now (it is emitted to the sink) and ends the stream: sink.onEnd is called. */
  finalize(): void {
    if (this.#finalized) return;
    this.#finishSegment(this.#segMaxPts + this.#frameTicks);
    this.#finalized = true;
    this.#sink?.onEnd?.(this.streamId);
  }

  /** A snapshot of the counters. */
  stats(): StreamStats {
    return this.#counters.snapshot(this.streamId, this.#pool.stats());
  }

  #checkLive(what: string): void {
    if (this.#finalized) throw new TypeError(`${what}() called after finalize() on stream ${JSON.stringify(this.streamId)}`);
  }

  #dropVideo(code: ErrorCodeValue, message: string): false {
    this.#counters.drop('video', code, 1);
    this.#report('video', code, message, 1);
    return false;
  }

  #dropAudio(code: ErrorCodeValue, message: string): false {
    this.#counters.drop('audio', code, 1);
    this.#report('audio', code, message, 1);
    return false;
  }

  #report(kind: 'video' | 'audio', code: ErrorCodeValue, message: string, frames: number): void {
    if (this.listenerCount('drop') > 0) this.emit('drop', { streamId: this.streamId, kind, code, message, frames });
  }

  /**
   * The drop policy: roll back the GOP being written (never emit half of one), emit the whole GOPs
   * before it, and drop video until the next IDR, which then starts a discontinuous segment.
   */
  #overflow(code: ErrorCodeValue): void {
    this.#dropping = code;
    this.#pendingDiscontinuity ??= 'dropped-frames';
    if (!this.#open) return;
    const gop = this.#gopMark;
    const seg = this.#segMark;
    // The GOP mark is set at every IDR after the segment's first; offset 0 means none.
    const rollback = gop.offset > 0 ? gop : seg;
    const video = this.#segVideo - rollback.videoFrames;
    const audio = this.#segAudio - rollback.audioFrames;
    this.#pool.rollbackTo(rollback.offset);
    restoreCc(this.#cc, PID_PAT, rollback.ccPat);
    restoreCc(this.#cc, PID_PMT, rollback.ccPmt);
    restoreCc(this.#cc, PID_VIDEO, rollback.ccVideo);
    restoreCc(this.#cc, PID_AUDIO, rollback.ccAudio);
    this.#pcr.last = rollback.lastPcr;
    this.#counters.unwrite(video, audio);
    this.#counters.drop('video', code, video);
    this.#counters.drop('audio', code, audio);
    if (video > 0) this.#report('video', code, `rolled back ${video} video frame(s) of an incomplete GOP`, video);
    if (audio > 0) this.#report('audio', code, `rolled back ${audio} audio pack(s) written with an incomplete GOP`, audio);
    this.#segVideo = rollback.videoFrames;
    this.#segAudio = rollback.audioFrames;
    if (rollback === gop) this.#finishSegment(gop.pts);
    else this.#open = false;
  }

  #mark(m: Mark, pts: number): void {
    m.offset = this.#pool.openBytes;
    m.ccPat = this.#cc.peek(PID_PAT);
    m.ccPmt = this.#cc.peek(PID_PMT);
    m.ccVideo = this.#cc.peek(PID_VIDEO);
    m.ccAudio = this.#cc.peek(PID_AUDIO);
    m.lastPcr = this.#pcr.last;
    m.videoFrames = this.#segVideo;
    m.audioFrames = this.#segAudio;
    m.pts = pts;
  }

  #beginSegment(pts: number, pcr: number): void {
    const pool = this.#pool;
    // A wall-clock step (live) starts a new timeline unless one starts here anyway.
    const stepped = this.#clock.steppedSinceLastCheck();
    const reason = this.#pendingDiscontinuity ?? (stepped ? 'clock-step' : undefined);
    this.#pendingDiscontinuity = undefined;
    this.#segDiscontinuity = reason;
    // PCR goes back or leaps at a new timeline: say so with discontinuity_indicator (§2.4.3.5) so a
    // demuxer does not take it for clock drift.
    this.#segTimestampDiscontinuity =
      reason !== undefined && reason !== 'start' && this.#pcr.steps(pcr);
    if (reason !== undefined) {
      // A new timeline: the cumulative cut target restarts here.
      this.#runFirstPts = pts;
      this.#nextCutPts = pts;
      this.#clock.restart(pts, reason);
    }
    while (this.#nextCutPts <= pts + this.#frameTicks / 2) this.#nextCutPts += this.#targetTicks;
    pool.beginSegment();
    this.#segVideo = 0;
    this.#segAudio = 0;
    this.#mark(this.#segMark, pts);
    this.#mark(this.#gopMark, pts);
    this.#segFirstPts = pts;
    this.#segMaxPts = pts;
    // The PMT lists video only until an audio frame lands in this segment (#declareAudioTrack).
    this.#segHasAudioTrack = false;
    const bytes = pool.bytes;
    writePat(bytes, pool.nextPacket(), this.#cc);
    writePmt(bytes, pool.nextPacket(), this.#cc, { video: true, audio: false });
    this.#open = true;
  }

  /**
   * Rewrites the open segment's PMT (still in the pool, not yet handed out) in place, keeping the
   * packet's continuity counter. The PMT is written video-only; the first audio frame of a segment
   * declares the audio track, and a segment whose audio was all rolled back undeclares it. Every PMT
   * thus lists exactly the tracks present in its segment, and audio that starts after the first IDR
   * (cameras often deliver video first) is not lost.
   */
  #rewritePmt(audio: boolean): void {
    const pool = this.#pool;
    const at = (pool.openStart + TS_PACKET_SIZE) % pool.capacity; // PAT, then the PMT
    const bytes = pool.bytes;
    const headerCc = bytes[at + 3];
    const next = this.#cc.peek(PID_PMT);
    writePmt(bytes, at, this.#cc, { video: true, audio });
    bytes[at + 3] = headerCc;
    restoreCc(this.#cc, PID_PMT, next);
    this.#segHasAudioTrack = audio;
  }

  /** Emits the open segment (if any) with its duration ending at `endPts`. */
  #finishSegment(endPts: number): void {
    if (!this.#open) return;
    if (this.#segHasAudioTrack && this.#segAudio === 0) this.#rewritePmt(false); // its audio was rolled back
    this.#open = false;
    const done = this.#pool.finishSegment();
    if (done === undefined) return;
    const durationTicks = Math.max(0, endPts - this.#segFirstPts);
    const sps = this.#video.sps;
    const overTarget = durationTicks >= this.#targetTicks + 45_000; // EXTINF would round above the target
    const reason = this.#segDiscontinuity;
    const codecs = this.#segHasAudioTrack && this.#audio.codec !== '' ? `${sps?.codec ?? 'avc1'},${this.#audio.codec}` : (sps?.codec ?? 'avc1');
    const startTimeMs = this.#clock.startTimeMs(this.#segFirstPts, durationTicks);
    if (this.#sequence === 0) this.#mediaSequenceBase = Math.floor(startTimeMs / 100);
    const sequence = this.#sequence++;
    let released = false;
    const segment: Segment = {
      streamId: this.streamId,
      sequence,
      mediaSequence: this.#mediaSequenceBase + sequence,
      firstPts90k: this.#segFirstPts,
      durationTicks,
      startTimeMs,
      byteLength: done.byteLength,
      parts: done.parts,
      discontinuity: reason !== undefined,
      discontinuityReason: reason,
      videoFrames: this.#segVideo,
      audioFrames: this.#segAudio,
      codecs,
      width: sps?.width ?? 0,
      height: sps?.height ?? 0,
      overTarget,
      deviceTimeMs: this.#clock.deviceTimeMs(),
      release: () => {
        released = true;
        done.release();
      },
    };
    const c = this.#counters;
    c.segments++;
    c.bytes += done.byteLength;
    if (overTarget) c.longSegments++;
    const sink = this.#sink;
    if (sink === undefined) {
      // No consumer: nothing will ever release it, so give the space back at once.
      segment.release();
      return;
    }
    try {
      sink.onSegment(segment);
    } catch (e) {
      // A sink that throws will not release what it was handed: give the space back here, or the
      // pool fills and the stream is dead.
      if (!released) done.release();
      this.emit('sink-error', e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A unit starting a segment on a new timeline (not the first): its PCR may go back. */
  #newTimeline(startsSegment: boolean): boolean {
    return startsSegment && this.#pendingDiscontinuity !== undefined && this.#pendingDiscontinuity !== 'start';
  }
}

/** Gives a PID back the counter it had at a mark: the next packet repeats the rolled-back one's. */
function restoreCc(cc: ContinuityCounters, pid: number, value: number): void {
  cc.set(pid, value);
}

function newMark(): Mark {
  return { offset: 0, ccPat: 0, ccPmt: 0, ccVideo: 0, ccAudio: 0, lastPcr: -1, videoFrames: 0, audioFrames: 0, pts: 0 };
}
