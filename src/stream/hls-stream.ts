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
import type { ChunkList } from '../mpegts/chunk-list.js';
import { TS_PACKET_SIZE } from '../mpegts/constants.js';
import { TsWriter } from '../mpegts/ts-writer.js';
import { DEFAULT_POOL_BYTES, SegmentPool } from '../pool/segment-pool.js';
import type { AudioFramePack, DiscontinuityReason, SegmentSink, VideoFramePack } from '../types.js';
import { AudioAssembler } from './audio-assembler.js';
import { AudioCut, type AudioCutHost } from './audio-cut.js';
import { FrameHold } from './frame-hold.js';
import { checkItems, classifyDtsStep, readTiming } from './pack-validation.js';
import { SegmentEmitter } from './segment-emit.js';
import { SegmentClock } from './segment-clock.js';
import { SegmentTally } from './segment-tally.js';
import { resolveOptions, type HlsStreamEvents, type HlsStreamOptions } from './stream-options.js';
import { StreamCounters, type StreamStats } from './stream-stats.js';
import { VideoAssembler } from './video-assembler.js';

export type { DropEvent, HlsStreamEvents, HlsStreamOptions } from './stream-options.js';

// PCR rules (DTS minus the mux delay, increasing, ≤ 100 ms apart) live in src/mpegts/pcr-clock.ts;
// the bytes of PSI and PES in src/mpegts/ts-writer.ts. This file decides where segments start.
/** Largest audio PES payload: PES_packet_length (16 bits) counts 3 header bytes + 5 PTS bytes too. */
const MAX_AUDIO_PAYLOAD = 65_535 - 8;

/** Smallest buffer for video held at a cut (a few frames of a small stream). */
const MIN_VIDEO_HOLD_BYTES = 256 * 1024;

/** One camera's muxer. See the file comment for the data flow and drop policy. */
export class HlsStream extends EventEmitter<HlsStreamEvents> {
  /** Camera id. */
  readonly streamId: string;
  #sink: SegmentSink | undefined;
  readonly #pool: SegmentPool;
  readonly #ts: TsWriter;
  readonly #video = new VideoAssembler();
  readonly #audio = new AudioAssembler();
  readonly #counters = new StreamCounters();
  readonly #clock: SegmentClock;
  readonly #emitter: SegmentEmitter;
  readonly #targetTicks: number;
  readonly #maxGapTicks: number;
  readonly #maxWaitTicks: number;
  readonly #timing = { pts: 0, dts: 0 };
  readonly #heldTiming = { pts: 0, dts: 0 };
  readonly #audioTiming = { pts: 0, dts: 0 };
  /** The open segment's counts and rollback marks. */
  readonly #seg = new SegmentTally();
  /** Video from a pending cut on, waiting for the previous segment's audio. */
  readonly #heldVideo: FrameHold;
  /** The audio side of cuts: per-frame placement, audio held ahead of the video. */
  readonly #audioCut = new AudioCut();
  /** What the audio side calls back (one object, made once). */
  readonly #host: AudioCutHost = {
    pendingCutPts: () => (this.#heldVideo.count > 0 ? this.#heldVideo.first.pts : -1),
    releaseCut: () => this.#releaseCut(),
    mayFollowCut: (pts) => pts > this.#seg.maxPts && pts >= this.#nextCutPts - this.#frameTicks / 2,
    writePes: (payload, pts, packs) => this.#writeAudioPes(payload, pts, packs),
    heldLost: (frames, packs) => {
      const code = this.#open ? ErrorCode.PoolFull : (this.#dropping ?? ErrorCode.AudioBeforeVideo);
      this.#counters.unwrite(0, packs);
      this.#counters.drop('audio', code, packs);
      this.#report('audio', code, `${frames} audio frame(s) held ahead of the video ${this.#open ? 'did not fit (pool full)' : 'had no segment to go to'}`, packs);
    },
  };

  #finalized = false;
  #started = false; // an IDR with SPS/PPS has been written
  #open = false; // a segment is open (PAT/PMT written)
  #dropping: ErrorCodeValue | undefined; // dropping video until the next IDR, and why
  #pendingDiscontinuity: DiscontinuityReason | undefined = 'start';
  #nextCutPts = 0;
  #lastDts = -1; // last video DTS taken (written or held)
  #writtenDts = -1; // last video DTS written into the pool
  #frameTicks = 3_600; // last DTS step; 25 fps until measured
  // The open segment (its counts and PTS range: #seg).
  #segDiscontinuity: DiscontinuityReason | undefined;
  #segTimestampDiscontinuity = false;

  /** @throws TypeError/RangeError naming a bad option */
  constructor(options: HlsStreamOptions) {
    super();
    const o = resolveOptions(options);
    this.streamId = o.streamId;
    this.#sink = options.sink;
    this.#pool = new SegmentPool(options.poolBytes ?? DEFAULT_POOL_BYTES);
    this.#ts = new TsWriter(this.#pool, o.muxDelayTicks);
    this.#heldVideo = new FrameHold(Math.max(MIN_VIDEO_HOLD_BYTES, Math.floor(this.#pool.capacity / 4)));
    this.#targetTicks = o.targetTicks;
    this.#maxGapTicks = o.maxGapTicks;
    this.#maxWaitTicks = o.maxWaitTicks;
    this.#clock = new SegmentClock(options.now ?? Date.now, options.mediaTimeOriginMs, options.clock);
    this.#emitter = new SegmentEmitter(o.streamId, this.#clock, this.#counters);
  }

  /** Sets (or replaces) the consumer of finished segments. */
  setSink(sink: SegmentSink): void {
    this.#sink = sink;
  }

  /**
   * Muxes one access unit. The caller may reuse the pack's buffers as soon as this returns. At a
   * segment cut whose previous segment still waits for audio, the frame is copied and written once
   * that audio arrived (at most `maxAudioWaitMs` later, or at finalize()).
   *
   * @returns true when the frame was taken, false when it was dropped (counted, 'drop' event)
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
    let reason: DiscontinuityReason | undefined;
    if (this.#lastDts >= 0) {
      const step = dts - this.#lastDts;
      const kind = classifyDtsStep(step, pack.dts90k !== undefined || pack.decodeTimestampUs !== undefined, this.#maxGapTicks);
      if (kind === 'missing-dts') {
        return this.#dropVideo(ErrorCode.MissingDts, 'PTS went back without a DTS: a stream with B-frames needs dts90k (or decodeTimestampUs) on every pack');
      }
      reason = kind;
      if (reason === undefined && step > 0 && this.#dropping === undefined) this.#frameTicks = step; // (after a drop the step spans the dropped frames)
    }
    // A pending cut ends at the next IDR, a new timeline, or when its wait is over.
    const held = this.#heldVideo;
    if (held.count > 0 && (idr || reason !== undefined || pts - held.first.pts > this.#maxWaitTicks)) this.#releaseCut();
    if (reason !== undefined) {
      this.#pendingDiscontinuity ??= reason;
      if (!idr) {
        // A new timeline cannot start mid-GOP: keep the whole GOPs written, drop to the next IDR.
        this.#overflow(ErrorCode.TimestampDiscontinuity);
        return this.#dropVideo(ErrorCode.TimestampDiscontinuity, `DTS went from ${this.#lastDts} to ${dts} in the middle of a GOP`);
      }
    }
    const startsSegment = !this.#open || (idr && (this.#pendingDiscontinuity !== undefined || pts >= this.#nextCutPts - this.#frameTicks / 2));
    const payload = video.buildPayload(startsSegment);
    if (held.count > 0 || (startsSegment && this.#open && this.#pendingDiscontinuity === undefined && this.#audioCut.lags(pts, this.#maxWaitTicks))) {
      if (held.count === 0) this.#audioCut.release(pts, this.#host); // held audio before the cut closes the old segment first
      if (held.add(payload, 0, payload.byteLength, pts, dts, idr)) {
        this.#lastDts = dts;
        return true;
      }
      this.#releaseCut(); // no room to wait longer: cut now
    }
    return this.#writeVideo(payload, t, idr, startsSegment);
  }

  /**
   * Muxes one pack of ADTS frames. Each frame goes to the segment its PTS falls in (as FFmpeg's
   * hlsenc splits audio at the video keyframe): frames before a pending cut close the previous
   * segment, frames ahead of the video that may follow the next cut are held (copied) until the
   * video reaches them.
   *
   * @returns true when taken, false when dropped (counted, 'drop' event)
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
    const firstOk = this.#audioCut.place(this.#audio, audio.sampleRate, t.pts, this.#host);
    if (!firstOk) return this.#dropAudio(this.#open ? ErrorCode.PoolFull : (this.#dropping ?? ErrorCode.PoolFull), 'pool full');
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

  /** Writes what is held, cuts the open segment now (it is emitted to the sink) and ends the stream: sink.onEnd is called. */
  finalize(): void {
    if (this.#finalized) return;
    this.#releaseCut();
    this.#audioCut.release(Infinity, this.#host);
    this.#finishSegment(this.#seg.maxPts + this.#frameTicks);
    this.#finalized = true;
    this.#sink?.onEnd?.(this.streamId);
  }

  /** A snapshot of the counters. Frames held at a pending cut count as neither written nor dropped yet. */
  stats(): StreamStats {
    return this.#counters.snapshot(this.streamId, this.#pool.stats(), this.#heldVideo.count);
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

  /** Writes one video unit into the pool (cutting first when it starts a segment). */
  #writeVideo(payload: ChunkList, t: { pts: number; dts: number }, idr: boolean, startsSegment: boolean): boolean {
    const { pts, dts } = t;
    // Audio held ahead of the video closes the old segment when it is before the cut (all of it
    // when the timeline changes: it cannot belong to the new one).
    if (startsSegment) this.#audioCut.release(this.#pendingDiscontinuity !== undefined ? Infinity : pts, this.#host);
    const pending = this.#pendingDiscontinuity;
    const timelineStart = startsSegment && pending !== undefined && pending !== 'dropped-frames';
    const packets = this.#ts.videoPackets(payload.byteLength, t, timelineStart, this.#newTimeline(startsSegment), startsSegment);
    if (startsSegment) {
      // The previous segment ends where this IDR starts, unless this IDR is on a new timeline
      // (reset or jump): then it ends one frame after its last frame, as at finalize().
      const newTimeline = this.#open && (pts < this.#seg.maxPts || pts - this.#seg.maxPts > this.#maxGapTicks);
      this.#finishSegment(newTimeline ? this.#seg.maxPts + this.#frameTicks : pts);
    } else if (idr) {
      this.#seg.mark(this.#seg.gop, this.#pool.openBytes, this.#ts, pts);
    }
    if (packets * TS_PACKET_SIZE > this.#pool.capacity) {
      this.#overflow(ErrorCode.FrameTooLarge);
      return this.#dropVideo(ErrorCode.FrameTooLarge, `frame needs ${packets * TS_PACKET_SIZE} bytes of TS, the pool holds ${this.#pool.capacity}`);
    }
    if (!this.#pool.canWrite(packets)) {
      this.#overflow(ErrorCode.PoolFull);
      return this.#dropVideo(ErrorCode.PoolFull, `pool full (${this.#pool.capacity} bytes held by segments not yet released)`);
    }
    if (startsSegment) this.#beginSegment(pts);
    this.#ts.writeVideo(payload, t, idr, startsSegment && this.#segTimestampDiscontinuity);
    this.#started = true;
    this.#dropping = undefined;
    this.#lastDts = dts;
    this.#writtenDts = dts;
    if (pts > this.#seg.maxPts) this.#seg.maxPts = pts;
    this.#seg.video++;
    this.#counters.videoWritten++;
    this.#audioCut.release(this.#seg.maxPts + 1, this.#host); // held audio the video has passed: no later cut can take it
    return true;
  }

  /** Writes the held video of a pending cut: its first frame starts the segment. */
  #releaseCut(): void {
    const held = this.#heldVideo;
    const t = this.#heldTiming;
    let first = true;
    while (held.count > 0) {
      const f = held.first;
      t.pts = f.pts;
      t.dts = f.dts;
      const idr = f.idr;
      const payload = held.take(1);
      if (this.#dropping !== undefined && !idr) this.#dropVideo(this.#dropping, 'dropping to the next IDR frame');
      else this.#writeVideo(payload, t, idr, first || !this.#open);
      first = false;
    }
  }

  /** Writes one audio PES at `pts` holding the first frames of `packs` packs (counted in the segment). */
  #writeAudioPes(payload: ChunkList, pts: number, packs: number): boolean {
    // PCR fill follows the audio clock through long video gaps, but never runs ahead of the next
    // video's decode time (audio often leads video by the encoder's lookahead): PCR must stay <= DTS.
    if (!this.#open) return false; // a cut released above overflowed the pool: no segment now
    const t = this.#audioTiming;
    t.pts = pts;
    t.dts = Math.min(pts, this.#heldVideo.count > 0 ? this.#heldVideo.first.dts : this.#writtenDts + this.#frameTicks);
    const packets = this.#ts.audioPackets(payload.byteLength, t);
    if (!this.#pool.canWrite(packets)) return false;
    this.#ts.writeAudio(payload, t); // (its first in a segment declares the audio track in the PMT)
    this.#seg.audio += packs;
    this.#seg.audioPes++;
    return true;
  }

  /**
   * The drop policy: roll back the GOP being written (never emit half of one), emit the whole GOPs
   * before it, and drop video until the next IDR, which then starts a discontinuous segment.
   */
  #overflow(code: ErrorCodeValue): void {
    this.#dropping = code;
    this.#pendingDiscontinuity ??= 'dropped-frames';
    if (!this.#open) return;
    const seg = this.#seg;
    const rollback = seg.rollbackMark();
    const video = seg.video - rollback.videoFrames;
    const audio = seg.audio - rollback.audioFrames;
    this.#pool.rollbackTo(rollback.offset);
    this.#ts.restore(rollback);
    this.#counters.unwrite(video, audio);
    this.#counters.drop('video', code, video);
    this.#counters.drop('audio', code, audio);
    if (video > 0) this.#report('video', code, `rolled back ${video} video frame(s) of an incomplete GOP`, video);
    if (audio > 0) this.#report('audio', code, `rolled back ${audio} audio PES written with an incomplete GOP`, audio);
    seg.rollTo(rollback);
    if (rollback === seg.gop) this.#finishSegment(rollback.pts);
    else this.#open = false;
  }

  #beginSegment(pts: number): void {
    // A wall-clock step (live) starts a new timeline unless one starts here anyway.
    const stepped = this.#clock.steppedSinceLastCheck();
    const reason = this.#pendingDiscontinuity ?? (stepped ? 'clock-step' : undefined);
    this.#pendingDiscontinuity = undefined;
    this.#segDiscontinuity = reason;
    // PCR goes back or leaps at a new timeline: say so with discontinuity_indicator (§2.4.3.5) so a
    // demuxer does not take it for clock drift.
    this.#segTimestampDiscontinuity = reason !== undefined && reason !== 'start' && this.#ts.pcrSteps();
    if (reason !== undefined) {
      // A new timeline: the cumulative cut target restarts here.
      this.#nextCutPts = pts;
      this.#clock.restart(pts, reason);
      // Media time runs on across dropped frames and wall-clock steps: audio continuity is kept.
      if (reason !== 'dropped-frames' && reason !== 'clock-step') this.#audioCut.end = -1;
    }
    while (this.#nextCutPts <= pts + this.#frameTicks / 2) this.#nextCutPts += this.#targetTicks;
    this.#pool.beginSegment();
    this.#seg.begin(this.#pool.openBytes, this.#ts, pts);
    // The PMT lists video only until an audio PES lands in this segment (TsWriter.writeAudio).
    this.#ts.writePsi();
    this.#open = true;
  }

  /** Emits the open segment (if any) with its duration ending at `endPts`. */
  #finishSegment(endPts: number): void {
    if (!this.#open) return;
    const seg = this.#seg;
    if (this.#ts.declaresAudio && seg.audioPes === 0) this.#ts.rewritePmt(false); // its audio was rolled back: undeclare it
    this.#open = false;
    const done = this.#pool.finishSegment();
    if (done === undefined) return;
    const facts = seg.closedFacts(endPts, this.#segDiscontinuity, this.#video.sps, this.#ts.declaresAudio ? this.#audio.codec : '', this.#targetTicks);
    const error = this.#emitter.emit(done, facts, this.#sink);
    if (error !== undefined) this.emit('sink-error', error);
  }

  /** A unit starting a segment on a new timeline (not the first): its PCR may go back. */
  #newTimeline(startsSegment: boolean): boolean {
    return startsSegment && this.#pendingDiscontinuity !== undefined && this.#pendingDiscontinuity !== 'start';
  }
}
