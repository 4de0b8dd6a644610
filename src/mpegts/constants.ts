/**
 * Fixed values of the transport streams s3hls writes (ISO/IEC 13818-1, "the spec" below).
 *
 * One program, at most one video and one audio elementary stream. PIDs follow FFmpeg's mpegtsenc
 * defaults (PMT 0x1000, first elementary stream 0x100) so our segments look familiar in analysers.
 */

/** Size of one transport stream packet in bytes (§2.4.3.2). */
export const TS_PACKET_SIZE = 188;

/** Bytes of a TS packet after its 4-byte header: what payload and adaptation field share (§2.4.3.2). */
export const TS_PAYLOAD_CAPACITY = 184;

/** sync_byte, the first byte of every TS packet (§2.4.3.3). */
export const SYNC_BYTE = 0x47;

/** PID of the Program Association Table (§2.4.4.3, Table 2-3). */
export const PID_PAT = 0;

/** PID of our Program Map Table (any PID in 0x0010..0x1FFE is allowed; FFmpeg's default). */
export const PID_PMT = 0x1000;

/** PID of the H.264 video elementary stream. */
export const PID_VIDEO = 0x100;

/** PID of the AAC audio elementary stream. */
export const PID_AUDIO = 0x101;

/** Highest PID an elementary stream may use; 0x1FFF is the null packet PID (§2.4.3.3, Table 2-3). */
export const PID_MAX = 0x1ffe;

/** stream_type of AVC video, ITU-T H.264 (§2.4.4.9, Table 2-34). */
export const STREAM_TYPE_H264 = 0x1b;

/** stream_type of ISO/IEC 13818-7 audio with ADTS transport syntax (§2.4.4.9, Table 2-34). */
export const STREAM_TYPE_AAC_ADTS = 0x0f;

/** stream_id of the first video stream, `1110 0000` (§2.4.3.7, Table 2-22). */
export const STREAM_ID_VIDEO = 0xe0;

/** stream_id of the first audio stream, `110x xxxx` with x = 0 (§2.4.3.7, Table 2-22). */
export const STREAM_ID_AUDIO = 0xc0;

/** program_number of our only program (program 0 would mean the network PID, §2.4.4.3). */
export const PROGRAM_NUMBER = 1;

/** transport_stream_id written in the PAT (user-defined, §2.4.4.5; FFmpeg also uses 1). */
export const TRANSPORT_STREAM_ID = 1;

/** PTS, DTS and the PCR base are 33-bit counters of the 90 kHz clock (§2.4.3.7, §2.4.2.2). */
export const TIMESTAMP_MODULUS = 2 ** 33;

/** PCR_extension counts 27 MHz ticks within one 90 kHz tick: 0..299 (§2.4.2.2). */
export const PCR_EXTENSION_MODULUS = 300;
