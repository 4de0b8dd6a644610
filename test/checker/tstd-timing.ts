/**
 * T-STD timing of a stream's segments, read from ISO/IEC 13818-1 alone (no import from src/): when
 * each PES's first byte arrives by the PCR, against its decode time; how the PCR moves; where each
 * segment's audio starts against its video; whether audio frames are lost or duplicated at cuts.
 *
 * - Arrival time of a byte (§2.4.2.2, §2.4.3.5): PCR is the 27 MHz time at which the byte holding
 *   the last bit of program_clock_reference_base arrives; bytes between two PCRs arrive at a constant
 *   rate, so the arrival of a PES's first byte is interpolated linearly by byte position between the
 *   PCR before it and the PCR after it (extrapolated at the last rate after the last PCR). Segments
 *   are read as one stream; a discontinuity_indicator starts a new time base (no interpolation across).
 * - Margin = DTS (or PTS when no DTS) − arrival. < 0 means the PES arrived after its decode time.
 * - Streams are told apart by stream_id (0xE0-0xEF video, 0xC0-0xDF audio, §2.4.3.7 Table 2-22).
 * - Audio frames: ADTS headers (ISO/IEC 13818-7 / 14496-3 1.A.2) in each audio PES give the frame
 *   count and sample rate; frame k of a PES is at PTS + k × 1024 / rate. A step between consecutive
 *   frames over 1.5 frames is a gap (lost samples), under 0.5 a duplicate.
 */

/** Per-segment facts. Times in ms of the 90 kHz clock (PTS / 90). */
export interface SegmentTiming {
  firstVideoPtsMs: number | undefined;
  firstAudioPtsMs: number | undefined;
  /** firstAudio − firstVideo, ms; undefined without audio. */
  audioStartOffsetMs: number | undefined;
  audioFrames: number;
}

/** What {@link measureTiming} found. */
export interface TimingReport {
  videoPes: number;
  audioPes: number;
  /** Smallest DTS − arrival over video / audio PES, ms (Infinity when none). */
  minVideoMarginMs: number;
  minAudioMarginMs: number;
  /** PES that arrived after their DTS. */
  lateVideoPes: number;
  lateAudioPes: number;
  /** PES whose margin is below `minMarginMs`. */
  belowMargin: number;
  pcrs: number;
  /** Consecutive PCRs with the same value (the clock standing still). */
  pcrRepeats: number;
  /** PCRs lower than the one before without discontinuity_indicator. */
  pcrBackwards: number;
  /** Largest interval between consecutive PCRs of one time base, ms. */
  maxPcrGapMs: number;
  /** Each segment's PCR starts after the previous segment's last (same time base). false if not. */
  pcrContinuousAcrossSegments: boolean;
  /** Audio frame steps over 1.5 frames (samples lost) and under 0.5 frames (duplicated), within a time base. */
  audioGaps: number;
  audioDuplicates: number;
  audioFrames: number;
  /** Largest |audioStartOffset| over the segments after the first (the ones with a cut before them), ms. */
  maxAudioStartOffsetMs: number;
  /** Largest (first video PTS − first audio PTS) over the segments after the first, when positive: audio from before the cut, ms. */
  maxCarriedAudioMs: number;
  /** AAC frame duration seen (ms), 0 without audio. */
  audioFrameMs: number;
  segments: SegmentTiming[];
  /** One line per problem found with `minMarginMs` etc. */
  errors: string[];
}

/** Options of {@link measureTiming}. */
export interface TimingOptions {
  /** Margin every PES must have, ms: smaller ones are counted in `belowMargin` and reported. @defaultValue 0 */
  minMarginMs?: number;
}

interface PesStart {
  index: number; // packet index in the whole stream
  video: boolean;
  decode: number; // DTS or PTS, 90 kHz (unwrapped within the stream)
  pts: number;
  segment: number;
}

const WRAP = 2 ** 33;

function ts5(b: Uint8Array, o: number): number {
  return ((b[o] >> 1) & 7) * 2 ** 30 + ((b[o + 1] << 7) | (b[o + 2] >> 1)) * 2 ** 15 + ((b[o + 3] << 7) | (b[o + 4] >> 1));
}

/** Joins a segment's parts (a segment may be two views of a ring). */
function join(parts: Uint8Array | readonly Uint8Array[]): Uint8Array {
  if (parts instanceof Uint8Array) return parts;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Measures the T-STD timing of consecutive segments of one stream.
 * @param segments - the segments in order (each one buffer, or its parts)
 * @param options - thresholds
 * @returns the figures and the problems found
 */
export function measureTiming(segments: readonly (Uint8Array | readonly Uint8Array[])[], options: TimingOptions = {}): TimingReport {
  const r = emptyReport();
  const pcrIndex: number[] = [];
  const pcrValue: number[] = [];
  const pcrBase: number[] = []; // time base number (incremented at discontinuity_indicator)
  const pes: PesStart[] = [];
  let base = 0;
  let index = 0;
  let lastPcr = -1;
  const adts = new AudioFrames();
  for (let s = 0; s < segments.length; s++) {
    const b = join(segments[s]);
    const seg: SegmentTiming = { firstVideoPtsMs: undefined, firstAudioPtsMs: undefined, audioStartOffsetMs: undefined, audioFrames: 0 };
    r.segments.push(seg);
    const pcrBefore = lastPcr;
    let firstPcrOfSegment = -1;
    for (let o = 0; o + 188 <= b.length; o += 188, index++) {
      const pid = ((b[o + 1] & 0x1f) << 8) | b[o + 2];
      const pusi = (b[o + 1] & 0x40) !== 0;
      const afc = (b[o + 3] >> 4) & 3;
      let p = o + 4;
      if (afc & 2) {
        const afl = b[p];
        if (afl > 0) {
          const flags = b[p + 1];
          if (flags & 0x80) base++; // discontinuity_indicator: a new time base
          if (flags & 0x10) {
            const pcr = b[p + 2] * 2 ** 25 + b[p + 3] * 2 ** 17 + b[p + 4] * 2 ** 9 + b[p + 5] * 2 + (b[p + 6] >> 7) + (((b[p + 6] & 1) << 8) | b[p + 7]) / 300;
            if (pcrBase.length > 0 && pcrBase[pcrBase.length - 1] === base) {
              const gap = pcr - lastPcr;
              if (gap === 0) r.pcrRepeats++;
              else if (gap < 0) r.pcrBackwards++;
              else r.maxPcrGapMs = Math.max(r.maxPcrGapMs, gap / 90);
            }
            if (firstPcrOfSegment < 0) {
              firstPcrOfSegment = pcr;
              if (s > 0 && pcrBefore >= 0 && !(flags & 0x80) && pcr <= pcrBefore) r.pcrContinuousAcrossSegments = false;
            }
            pcrIndex.push(index);
            pcrValue.push(pcr);
            pcrBase.push(base);
            lastPcr = pcr;
            r.pcrs++;
          }
        }
        p += 1 + afl;
      }
      if (!(afc & 1) || p >= o + 188) continue;
      if (pusi && b[p] === 0 && b[p + 1] === 0 && b[p + 2] === 1) {
        const sid = b[p + 3];
        const video = sid >= 0xe0 && sid <= 0xef;
        const audio = sid >= 0xc0 && sid <= 0xdf;
        if (!video && !audio) continue;
        const flags = b[p + 7] >> 6;
        const pts = ts5(b, p + 9);
        const dts = flags === 3 ? ts5(b, p + 14) : pts;
        pes.push({ index, video, decode: dts, pts, segment: s });
        if (video) {
          r.videoPes++;
          seg.firstVideoPtsMs ??= pts / 90;
        } else {
          r.audioPes++;
          seg.firstAudioPtsMs ??= pts / 90;
          adts.flush(r, seg);
          adts.start(pid, pts, base, b, p + 9 + b[p + 8], o + 188);
        }
      } else if (adts.pid === pid) {
        adts.append(b, p, o + 188);
      }
    }
    adts.flush(r, seg);
    alignment(r, seg, s);
  }
  margins(r, pes, { index: pcrIndex, value: pcrValue, base: pcrBase }, options.minMarginMs ?? 0);
  summarize(r);
  return r;
}

/**
 * Each PES's margin: its DTS minus the arrival of its first byte, interpolated between the PCRs
 * around it (same time base; extrapolated at the last rate after the last PCR).
 */
function margins(r: TimingReport, pes: readonly PesStart[], pcrs: { index: number[]; value: number[]; base: number[] }, minMarginMs: number): void {
  const minMargin90k = minMarginMs * 90;
  let j = 0;
  for (const e of pes) {
    while (j + 1 < pcrs.index.length && pcrs.index[j + 1] <= e.index) j++;
    if (pcrs.index.length === 0 || pcrs.index[j] > e.index) continue; // before the first PCR: no arrival time
    let arrival = pcrs.value[j];
    const k = j + 1 < pcrs.index.length && pcrs.base[j + 1] === pcrs.base[j] ? j + 1 : j > 0 && pcrs.base[j - 1] === pcrs.base[j] ? j - 1 : -1;
    if (k >= 0 && pcrs.index[k] !== pcrs.index[j]) {
      const rate = (pcrs.value[k] - pcrs.value[j]) / (pcrs.index[k] - pcrs.index[j]); // 90 kHz ticks per packet
      arrival += rate * (e.index - pcrs.index[j]);
    }
    let margin = e.decode - (arrival % WRAP);
    if (margin < -WRAP / 2) margin += WRAP;
    const ms = margin / 90;
    if (e.video) {
      r.minVideoMarginMs = Math.min(r.minVideoMarginMs, ms);
      if (margin < 0) r.lateVideoPes++;
    } else {
      r.minAudioMarginMs = Math.min(r.minAudioMarginMs, ms);
      if (margin < 0) r.lateAudioPes++;
    }
    if (margin < minMargin90k) {
      r.belowMargin++;
      if (r.errors.length < 20) r.errors.push(`segment ${e.segment}: ${e.video ? 'video' : 'audio'} PES (packet ${e.index}) DTS − PCR ${ms.toFixed(1)} ms < ${minMarginMs} ms`);
    }
  }
}

/** ADTS frames of the audio PES being reassembled: counted, and their PTS steps checked. */
class AudioFrames {
  pid = -1;
  #buf: number[] = [];
  #pts = -1;
  #base = 0;
  #prevEnd = -1; // 90 kHz, expected PTS of the next frame
  #prevBase = -1;

  start(pid: number, pts: number, base: number, b: Uint8Array, from: number, to: number): void {
    this.pid = pid;
    this.#pts = pts;
    this.#base = base;
    this.append(b, from, to);
  }

  append(b: Uint8Array, from: number, to: number): void {
    for (let i = from; i < to; i++) this.#buf.push(b[i]);
  }

  /** Counts the frames of the PES reassembled so far into `r` and `seg`. */
  flush(r: TimingReport, seg: SegmentTiming): void {
    const buf = this.#buf;
    if (this.#pts < 0) return;
    let p = 0;
    for (let k = 0; p + 7 <= buf.length && buf[p] === 0xff && (buf[p + 1] & 0xf0) === 0xf0; k++) {
      const rate = ADTS_RATES[(buf[p + 2] >> 2) & 0x0f] ?? 0;
      const len = ((buf[p + 3] & 3) << 11) | (buf[p + 4] << 3) | (buf[p + 5] >> 5);
      if (rate === 0 || len < 7) break;
      const dur = (1024 * 90_000) / rate;
      r.audioFrameMs = dur / 90;
      const pts = this.#pts + k * dur;
      if (this.#prevEnd >= 0 && this.#prevBase === this.#base) {
        const step = pts - (this.#prevEnd - dur);
        if (step > 1.5 * dur) r.audioGaps++;
        else if (step < 0.5 * dur) r.audioDuplicates++;
      }
      this.#prevEnd = pts + dur;
      this.#prevBase = this.#base;
      r.audioFrames++;
      seg.audioFrames++;
      p += len;
    }
    this.#buf = [];
    this.#pts = -1;
  }
}

/** sampling_frequency_index → Hz (ISO/IEC 14496-3 Table 1.18). */
const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** A segment's audio start against its video start (segments after the first have a cut before them). */
function alignment(r: TimingReport, seg: SegmentTiming, s: number): void {
  if (seg.firstAudioPtsMs !== undefined && seg.firstVideoPtsMs !== undefined) {
    seg.audioStartOffsetMs = seg.firstAudioPtsMs - seg.firstVideoPtsMs;
    if (s > 0) {
      // The first segment has no cut before it: audio may start before or after its video.
      r.maxAudioStartOffsetMs = Math.max(r.maxAudioStartOffsetMs, Math.abs(seg.audioStartOffsetMs));
      r.maxCarriedAudioMs = Math.max(r.maxCarriedAudioMs, -seg.audioStartOffsetMs);
    }
  }
}

/** One error line per rule broken. */
function summarize(r: TimingReport): void {
  if (r.pcrRepeats > 0) r.errors.push(`PCR repeated ${r.pcrRepeats} time(s)`);
  if (r.pcrBackwards > 0) r.errors.push(`PCR went back ${r.pcrBackwards} time(s) without discontinuity_indicator`);
  if (!r.pcrContinuousAcrossSegments) r.errors.push("a segment's first PCR is not after the previous segment's last");
  if (r.maxPcrGapMs > 100) r.errors.push(`PCR interval ${r.maxPcrGapMs.toFixed(1)} ms > 100 ms`);
  if (r.audioGaps + r.audioDuplicates > 0) r.errors.push(`audio: ${r.audioGaps} gap(s), ${r.audioDuplicates} duplicate(s) between consecutive frames`);
}

function emptyReport(): TimingReport {
  return {
    videoPes: 0,
    audioPes: 0,
    minVideoMarginMs: Infinity,
    minAudioMarginMs: Infinity,
    lateVideoPes: 0,
    lateAudioPes: 0,
    belowMargin: 0,
    pcrs: 0,
    pcrRepeats: 0,
    pcrBackwards: 0,
    maxPcrGapMs: 0,
    pcrContinuousAcrossSegments: true,
    audioGaps: 0,
    audioDuplicates: 0,
    audioFrames: 0,
    maxAudioStartOffsetMs: 0,
    maxCarriedAudioMs: 0,
    audioFrameMs: 0,
    segments: [],
    errors: [],
  };
}
