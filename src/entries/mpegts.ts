/**
 * `s3hls/mpegts`: the MPEG-TS writing blocks under the muxer, for code that builds its own
 * transport streams (PSI tables, PES headers, timestamps, PCR, continuity counters, CRC-32/MPEG-2).
 * Every writer writes in place into a caller's buffer and allocates nothing; docs/mpegts.md gives the
 * timing rules the muxer applies with them.
 */
export * from '../mpegts/constants.js';
export { ContinuityCounters } from '../mpegts/continuity-counters.js';
export { crc32Mpeg2 } from '../mpegts/crc32.js';
export { writePat, writePmt, type PmtTracks } from '../mpegts/psi.js';
export {
  writePesHeader,
  pesHeaderLength,
  pesPacketLength,
  PES_HEADER_BYTES_PTS,
  PES_HEADER_BYTES_PTS_DTS,
  PES_PACKET_LENGTH_MAX,
  type PesHeaderFields,
} from '../mpegts/pes-header.js';
export { wrapTicks, writeTimestamp, writePcr, writePcrOf } from '../mpegts/timestamps.js';
export { writePcrOnlyPacket } from '../mpegts/pcr-packet.js';
export { PesPacketizer, type PacketCursor, type PesWrite } from '../mpegts/packetizer.js';
export { ChunkList } from '../mpegts/chunk-list.js';
