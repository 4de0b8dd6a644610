import t from 'tap';
import fc from 'fast-check';
import { PerformanceObserver } from 'node:perf_hooks';
import { AAC_SAMPLES_PER_FRAME, AdtsScanner, aacCodecString, emptyAdtsHeader, readAdtsHeader, type AdtsHeader } from '../../src/aac/adts.js';
import { ErrorCode } from '../../src/errors.js';
import { fixture, fixturePath, hasFfmpeg, probePackets } from '../helpers/fixtures.js';

/**
 * 7-byte header, AAC-LC 48 kHz stereo, no CRC, 23-byte frame, one raw data block.
 * aac_frame_length = 23 = 0b00_00000010_111 (13 bits split 2 | 8 | 3 over bytes 3-5).
 */
const LC_48K_STEREO = Uint8Array.of(
  0xff, // 1111 1111  syncword[11..4]
  0xf1, // 1111 0 00 1  syncword[3..0], ID 0 (MPEG-4), layer 00, protection_absent 1
  0x4c, // 01 0011 0 0  profile_ObjectType 1 (AAC-LC), sampling_frequency_index 3 (48000), private_bit 0, channel_configuration[2] 0
  0x80, // 10 0 0 0 0 00  channel_configuration[1..0] 10 (= 2), original_copy, home, copyright bits 0, aac_frame_length[12..11] 00
  0x02, // 0000 0010  aac_frame_length[10..3]
  0xff, // 111 11111  aac_frame_length[2..0] 111, adts_buffer_fullness[10..6] (0x7ff = VBR)
  0xfc, // 111111 00  adts_buffer_fullness[5..0], number_of_raw_data_blocks_in_frame 0
);

/**
 * 9-byte header (CRC follows), MPEG-2 ID, AAC-LC 44.1 kHz mono, 1000-byte frame, two raw data blocks.
 * aac_frame_length = 1000 = 0b00_01111101_000.
 */
const LC_44K_MONO_CRC = Uint8Array.of(
  0xff, // 1111 1111  syncword[11..4]
  0xf8, // 1111 1 00 0  syncword[3..0], ID 1 (MPEG-2), layer 00, protection_absent 0 → CRC follows
  0x50, // 01 0100 0 0  profile_ObjectType 1 (AAC-LC), sampling_frequency_index 4 (44100), private 0, channel_configuration[2] 0
  0x40, // 01 0 0 0 0 00  channel_configuration[1..0] 01 (= 1), flags 0, aac_frame_length[12..11] 00
  0x7d, // 0111 1101  aac_frame_length[10..3]
  0x1f, // 000 11111  aac_frame_length[2..0] 000, adts_buffer_fullness[10..6]
  0xfd, // 111111 01  adts_buffer_fullness[5..0], number_of_raw_data_blocks_in_frame 1 → 2 blocks
  0x12,
  0x34, // crc_check (not verified: ffmpeg's muxers and hls.js ignore it too)
);

/** A whole frame: `header` then payload bytes up to its aac_frame_length. */
function frameOf(header: Uint8Array, fill = 0x21): Uint8Array {
  const h = emptyAdtsHeader();
  const out = new Uint8Array(65536);
  out.set(header);
  if (readAdtsHeader(out, undefined, 0, h) !== undefined) throw new Error('bad test header');
  return out.slice(0, h.frameLength).fill(fill, header.length);
}

/** Builds an ADTS frame of `frameLength` bytes (7-byte header, LC, 48 kHz stereo). */
function makeFrame(frameLength: number, payloadByte: (i: number) => number): Uint8Array {
  const f = new Uint8Array(frameLength);
  f.set(LC_48K_STEREO);
  f[3] = 0x80 | (frameLength >> 11);
  f[4] = (frameLength >> 3) & 0xff;
  f[5] = ((frameLength & 7) << 5) | 0x1f;
  for (let i = 7; i < frameLength; i++) f[i] = payloadByte(i);
  return f;
}

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

function frames(s: AdtsScanner): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < s.count; i++) out.push([s.start(i), s.end(i)]);
  return out;
}

t.test('golden: 7-byte header, AAC-LC 48 kHz stereo', async (t) => {
  const h = emptyAdtsHeader();
  const frame = frameOf(LC_48K_STEREO);
  t.equal(readAdtsHeader(frame, undefined, 0, h), undefined);
  t.same(h, { frameLength: 23, headerLength: 7, objectType: 2, sampleRateIndex: 3, sampleRate: 48000, channelConfig: 2, rawBlocks: 1 } satisfies AdtsHeader);
  t.equal(aacCodecString(h.objectType), 'mp4a.40.2');
  t.equal(AAC_SAMPLES_PER_FRAME, 1024);
});

t.test('golden: 9-byte header with CRC, MPEG-2 ID, 44.1 kHz mono, two raw data blocks', async (t) => {
  const h = emptyAdtsHeader();
  const frame = frameOf(LC_44K_MONO_CRC);
  t.equal(readAdtsHeader(frame, undefined, 0, h), undefined);
  t.same(h, { frameLength: 1000, headerLength: 9, objectType: 2, sampleRateIndex: 4, sampleRate: 44100, channelConfig: 1, rawBlocks: 2 });
});

t.test('golden: a header straddling the split at every position reads the same', async (t) => {
  const frame = concat(Uint8Array.of(0xaa, 0xbb), frameOf(LC_44K_MONO_CRC));
  for (let at = 0; at <= frame.length; at++) {
    const h = emptyAdtsHeader();
    t.equal(readAdtsHeader(frame.subarray(0, at), frame.subarray(at), 2, h), undefined, `split at ${at}`);
    if (h.frameLength !== 1000 || h.headerLength !== 9 || h.sampleRate !== 44100) t.fail(`split at ${at}: ${JSON.stringify(h)}`);
  }
});

t.test('golden: each check rejects, and a rejected header leaves `out` untouched', async (t) => {
  const good = frameOf(LC_48K_STEREO);
  const bad = (mutate: (f: Uint8Array) => void, item = good.slice()): string | undefined => {
    mutate(item);
    const h = emptyAdtsHeader();
    const r = readAdtsHeader(item, undefined, 0, h);
    if (r !== undefined) t.same(h, emptyAdtsHeader(), 'out untouched');
    return r;
  };
  t.equal(
    bad(() => {}),
    undefined,
    'the unmodified frame is good',
  );
  t.equal(
    bad((f) => {
      f[0] = 0xfe;
    }),
    ErrorCode.BadAdts,
    'syncword 0xFEF',
  );
  t.equal(
    bad((f) => {
      f[1] = 0xe1;
    }),
    ErrorCode.BadAdts,
    'syncword 0xFFE',
  );
  t.equal(
    bad((f) => {
      f[1] = 0xf3;
    }),
    ErrorCode.BadAdts,
    'layer 01 (MP3-style)',
  );
  t.equal(
    bad((f) => {
      f[2] = 0x74;
    }),
    ErrorCode.BadAdts,
    'sampling_frequency_index 13 (reserved)',
  );
  t.equal(
    bad((f) => {
      f[2] = 0x7c;
    }),
    ErrorCode.BadAdts,
    'sampling_frequency_index 15 (explicit: not allowed in ADTS)',
  );
  t.equal(
    bad((f) => {
      f[4] = 0x00;
      f[5] = 0xdf;
    }),
    ErrorCode.BadAdts,
    'aac_frame_length 6 < 7',
  );
  t.equal(
    bad((f) => {
      f[4] = 0x03;
    }),
    ErrorCode.BadAdts,
    'aac_frame_length 31 > the 23-byte item',
  );
  t.equal(
    bad(() => {}, good.slice(0, 6)),
    ErrorCode.BadAdts,
    'fewer than 7 bytes',
  );
  t.equal(
    bad(() => {}, good.slice(0, 22)),
    ErrorCode.BadAdts,
    'frame one byte short (truncated)',
  );
  const crc = frameOf(LC_44K_MONO_CRC).slice();
  crc[4] = 0x01;
  crc[5] = 0x1f; // aac_frame_length 8: ≥ 7 but < the 9-byte header with CRC
  t.equal(readAdtsHeader(crc, undefined, 0, emptyAdtsHeader()), ErrorCode.BadAdts, 'aac_frame_length 8 with a CRC');
  t.equal(readAdtsHeader(good, undefined, 23, emptyAdtsHeader()), ErrorCode.BadAdts, 'offset at the end');
  t.throws(() => readAdtsHeader(good, undefined, -1, emptyAdtsHeader()), { name: 'RangeError', message: /offset.*-1/ });
});

t.test('aacCodecString', async (t) => {
  t.equal(aacCodecString(5), 'mp4a.40.5');
  t.equal(aacCodecString(29), 'mp4a.40.29');
  t.throws(() => aacCodecString(0), { name: 'RangeError', message: /objectType.*0/ });
  t.throws(() => aacCodecString(2.5), { name: 'RangeError' });
});

t.test('scanner: clean frames, garbage before, between and after, bad sync, truncated last frame', async (t) => {
  const a = frameOf(LC_48K_STEREO, 0x11); // 23 bytes
  const b = frameOf(LC_44K_MONO_CRC, 0x22); // 1000 bytes
  const s = new AdtsScanner();

  t.equal(s.scan(concat(a, a, b)), 3);
  t.same(frames(s), [
    [0, 23],
    [23, 46],
    [46, 1046],
  ]);
  t.equal(s.garbageBytes, 0);
  t.equal(s.header.sampleRate, 48000, "header is the first frame's");

  t.equal(s.scan(concat(Uint8Array.of(1, 2, 3), a, a)), 2, 'garbage before');
  t.same(frames(s), [
    [3, 26],
    [26, 49],
  ]);
  t.equal(s.garbageBytes, 3);

  t.equal(s.scan(concat(a, Uint8Array.of(0xff, 0xff, 0x00), a)), 2, 'garbage between, with 0xFF bytes');
  t.same(frames(s), [
    [0, 23],
    [26, 49],
  ]);
  t.equal(s.garbageBytes, 3);

  t.equal(s.scan(concat(a, a, Uint8Array.of(9, 9, 9, 9))), 2, 'garbage after');
  t.equal(s.garbageBytes, 4);

  const badSync = a.slice();
  badSync[1] = 0xe1;
  t.equal(s.scan(concat(a, badSync, a)), 2, 'a frame with a bad syncword is skipped whole');
  t.same(frames(s), [
    [0, 23],
    [46, 69],
  ]);
  t.equal(s.garbageBytes, 23);

  t.equal(s.scan(concat(a, b.subarray(0, 500))), 1, 'truncated last frame');
  t.equal(s.garbageBytes, 500);

  t.equal(s.scan(Uint8Array.of(1, 2, 3)), 0, 'no frame at all');
  t.equal(s.garbageBytes, 3);
  t.equal(s.scan(new Uint8Array(0)), 0);
  t.equal(s.garbageBytes, 0);
});

t.test('scanner: after bad bytes, a sync-like pattern inside a damaged frame is not taken for a frame', async (t) => {
  // The payload of the damaged frame holds FF F1 4C 80 00 FF FC: a valid-looking 7-byte header whose
  // frame (length 7) is followed by neither a syncword nor the end of the item.
  const damaged = makeFrame(60, (i) => (i === 20 ? 0xff : i === 21 ? 0xf1 : i === 22 ? 0x4c : i === 23 ? 0x80 : i === 24 ? 0x00 : i === 25 ? 0xff : i === 26 ? 0xfc : 0x33));
  damaged[1] = 0xe1; // its own syncword broken
  const good = makeFrame(40, () => 0x44);
  const s = new AdtsScanner();
  t.equal(s.scan(concat(good, damaged, good)), 2);
  t.same(frames(s), [
    [0, 40],
    [100, 140],
  ]);
  t.equal(s.garbageBytes, 60);
});

t.test('scanner: storage grows by doubling; programmer errors throw', async (t) => {
  const s = new AdtsScanner(1);
  const f = makeFrame(9, () => 0x55);
  const many = concat(...Array.from({ length: 50 }, () => f));
  t.equal(s.scan(many.subarray(0, 200), many.subarray(200)), 50);
  t.same(frames(s)[49], [441, 450]);
  t.throws(() => s.start(50), { name: 'RangeError', message: /index 50/ });
  t.throws(() => new AdtsScanner(0), { name: 'RangeError', message: /initialCapacity.*0/ });
  t.throws(() => new AdtsScanner(Number.NaN), { name: 'TypeError', message: /initialCapacity.*NaN/ });
  t.throws(() => s.scan(null as unknown as Uint8Array), { name: 'TypeError', message: /part1/ });
});

/** Frames of random length with random payloads (0xFF bytes included), plus optional garbage without 0xFF. */
const arbFrames = fc.array(fc.tuple(fc.integer({ min: 7, max: 300 }), fc.integer()), { minLength: 1, maxLength: 10 }).map((list) => {
  const fs = list.map(([len, seed]) => makeFrame(len, (i) => (seed + i * 131) & 0xff));
  return { bytes: concat(...fs), lengths: fs.map((f) => f.length) };
});

t.test('property: any split gives the frames of the unsplit item, which are the frames written', async () => {
  const s = new AdtsScanner(2);
  fc.assert(
    fc.property(
      arbFrames,
      fc.nat(),
      fc.uint8Array({ maxLength: 20 }).map((g) => g.map((b) => (b === 0xff ? 0 : b))),
      ({ bytes, lengths }, n, garbage) => {
        const item = concat(garbage, bytes);
        const want: [number, number][] = [];
        let pos = garbage.length;
        for (const len of lengths) {
          want.push([pos, pos + len]);
          pos += len;
        }
        const at = n % (item.length + 1);
        s.scan(item.slice(0, at), item.slice(at));
        return JSON.stringify(frames(s)) === JSON.stringify(want) && s.garbageBytes === garbage.length && s.header.frameLength === lengths[0];
      },
    ),
    { numRuns: 1000 },
  );
});

t.test('real file sine.aac: exactly the frames ffprobe reports, whole and as split items', { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' }, async (t) => {
  const bytes = fixture('sine.aac');
  const packets = probePackets(fixturePath('sine.aac'), 'a:0');
  const s = new AdtsScanner();
  t.equal(s.scan(bytes), packets.length, `${packets.length} frames`);
  t.equal(s.garbageBytes, 0);
  t.equal(s.end(s.count - 1), bytes.length);
  t.match(s.header, { objectType: 2, sampleRate: 48000, channelConfig: 2, rawBlocks: 1 });
  t.equal(aacCodecString(s.header.objectType), 'mp4a.40.2');
  // ffmpeg's ADTS demuxer hands out whole frames, header included: check each frame's length.
  const sizes: number[] = [];
  for (let i = 0; i < s.count; i++) sizes.push(s.end(i) - s.start(i));
  t.same(
    sizes,
    packets.map((p) => p.size),
  );

  // Items of 1-4 frames, each split at a pseudo-random point: the same frames, in file offsets.
  const starts: number[] = [];
  for (let i = 0; i < s.count; i++) starts.push(s.start(i));
  starts.push(bytes.length);
  const items = new AdtsScanner();
  let found = 0;
  for (let k = 0, r = 7; k + 1 < starts.length;) {
    r = (r * 1103515245 + 12345) % 2147483648;
    const n = 1 + (r % 4);
    const to = starts[Math.min(k + n, starts.length - 1)];
    const from = starts[k];
    const at = from + (r % (to - from + 1));
    items.scan(bytes.subarray(from, at), bytes.subarray(at, to));
    if (items.garbageBytes !== 0) t.fail(`garbage in item at ${from}`);
    for (let i = 0; i < items.count; i++) if (from + items.start(i) !== starts[k + i]) t.fail(`frame ${k + i} misplaced`);
    found += items.count;
    k = Math.min(k + n, starts.length - 1);
  }
  t.equal(found, packets.length);
});

t.test('steady state: a million scans of a two-frame split item allocate nothing', async (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    t.pass('allocation check', { skip: 'needs --expose-gc' });
    return;
  }
  const item = concat(
    makeFrame(30, () => 0x5a),
    makeFrame(30, () => 0xa5),
  );
  const part1 = item.subarray(0, 33); // the split falls inside the second header
  const part2 = item.subarray(33);
  const s = new AdtsScanner();
  for (let i = 0; i < 20_000; i++) s.scan(part1, part2);
  const gcs: string[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.name);
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  obs.observe({ entryTypes: ['gc'] });
  let found = 0;
  for (let i = 0; i < 1_000_000; i++) found += s.scan(part1, part2);
  const after = process.memoryUsage().heapUsed;
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  t.equal(found, 2_000_000);
  t.same(gcs, [], 'no garbage collection during the scans');
  t.ok(after - before < 1_000_000, `heap grew by ${after - before} bytes over 1e6 scans`);
});
