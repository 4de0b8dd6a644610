/**
 * Round trip through an independent demuxer: mux.js (videojs) parses our TS back into PES packets
 * with their PTS/DTS, and we split the video payloads into NAL units.
 */
import muxjs from 'mux.js';
import { nalUnits } from './annexb-units.js';

/** One demuxed PES. */
export interface DemuxedPes {
  readonly type: 'video' | 'audio';
  readonly pts: number;
  readonly dts: number;
  readonly data: Uint8Array;
  /** NAL units (video only), without start codes. */
  readonly nals: Uint8Array[];
  /** True when the PES holds an IDR slice. */
  readonly keyframe: boolean;
}

/** An elementary-stream event of mux.js. */
interface MuxJsPes {
  type: string;
  pts: number;
  dts: number;
  data: Uint8Array;
}

/** A mux.js stream stage (untyped, types/mux.js.d.ts): the part of it used here. */
interface MuxJsStage {
  pipe(next: MuxJsStage): MuxJsStage;
  on(event: 'data', listener: (e: MuxJsPes) => void): void;
  push(bytes: Uint8Array): void;
  flush(): void;
}

/** The mp2t constructors of mux.js used here. */
interface MuxJsMp2t {
  TransportPacketStream: new () => MuxJsStage;
  TransportParseStream: new () => MuxJsStage;
  ElementaryStream: new () => MuxJsStage;
}

/** Demuxes TS bytes with mux.js's TransportPacketStream → TransportParseStream → ElementaryStream. */
export function demux(bytes: Uint8Array): DemuxedPes[] {
  const out: DemuxedPes[] = [];
  const mp2t = (muxjs as { mp2t: MuxJsMp2t }).mp2t;
  const packets = new mp2t.TransportPacketStream();
  const parse = new mp2t.TransportParseStream();
  const elementary = new mp2t.ElementaryStream();
  packets.pipe(parse).pipe(elementary);
  elementary.on('data', (e: MuxJsPes) => {
    if (e.type !== 'video' && e.type !== 'audio') return;
    const data = new Uint8Array(e.data);
    const nals = e.type === 'video' ? nalUnits(data).map((n) => data.subarray(n.start, n.end)) : [];
    out.push({ type: e.type, pts: e.pts, dts: e.dts, data, nals, keyframe: nals.some((n) => (n[0] & 0x1f) === 5) });
  });
  packets.push(bytes);
  packets.flush();
  return out;
}
