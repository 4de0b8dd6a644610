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

/** Demuxes TS bytes with mux.js's TransportPacketStream → TransportParseStream → ElementaryStream. */
export function demux(bytes: Uint8Array): DemuxedPes[] {
  const out: DemuxedPes[] = [];
  const packets = new muxjs.mp2t.TransportPacketStream();
  const parse = new muxjs.mp2t.TransportParseStream();
  const elementary = new muxjs.mp2t.ElementaryStream();
  packets.pipe(parse).pipe(elementary);
  elementary.on('data', (e: { type: string; pts: number; dts: number; data: Uint8Array }) => {
    if (e.type !== 'video' && e.type !== 'audio') return;
    const data = new Uint8Array(e.data);
    const nals = e.type === 'video' ? nalUnits(data).map((n) => data.subarray(n.start, n.end)) : [];
    out.push({ type: e.type, pts: e.pts, dts: e.dts, data, nals, keyframe: nals.some((n) => (n[0] & 0x1f) === 5) });
  });
  packets.push(bytes);
  packets.flush();
  return out;
}
