/**
 * Minimal ISO-BMFF box walking for the clip exporter: reads track timescales from an init segment
 * and rewrites `tfdt` (base media decode time) in a fragment so a clip's timeline stays continuous.
 */

/** Calls `visit(type, start, end)` for each box in `buf[from, to)`; `start` is the box header offset. */
function walk(buf: Uint8Array, from: number, to: number, visit: (type: string, start: number, end: number) => void): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = from;
  while (at + 8 <= to) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(buf[at + 4], buf[at + 5], buf[at + 6], buf[at + 7]);
    const end = size === 0 ? to : at + size;
    if (size < 8 || end > to) return;
    visit(type, at, end);
    at = end;
  }
}

/**
 * Track id → timescale from an init segment (moov/trak/tkhd + mdia/mdhd).
 *
 * @param init - the ftyp+moov bytes
 * @returns a map of track id to timescale (ticks per second)
 */
export function trackTimescales(init: Uint8Array): Map<number, number> {
  const view = new DataView(init.buffer, init.byteOffset, init.byteLength);
  const out = new Map<number, number>();
  walk(init, 0, init.length, (type, s, e) => {
    if (type !== 'moov') return;
    walk(init, s + 8, e, (t2, s2, e2) => {
      if (t2 !== 'trak') return;
      let id = 0;
      let scale = 0;
      walk(init, s2 + 8, e2, (t3, s3, e3) => {
        if (t3 === 'tkhd') id = view.getUint32(s3 + (init[s3 + 8] === 1 ? 28 : 20));
        if (t3 === 'mdia') {
          walk(init, s3 + 8, e3, (t4, s4) => {
            if (t4 === 'mdhd') scale = view.getUint32(s4 + (init[s4 + 8] === 1 ? 28 : 20));
          });
        }
      });
      if (id > 0 && scale > 0) out.set(id, scale);
    });
  });
  return out;
}

/**
 * Visits every `tfdt` in a fragment (moof+mdat sequence), letting the caller replace its value.
 * mux.js writes version-1 (64-bit) tfdt; version 0 is handled too.
 *
 * @param frag - one or more moof/mdat pairs, rewritten in place
 * @param map - given the track id and the stored decode time, returns the new decode time
 */
export function rewriteDecodeTimes(frag: Uint8Array, map: (trackId: number, decodeTime: number) => number): void {
  const view = new DataView(frag.buffer, frag.byteOffset, frag.byteLength);
  walk(frag, 0, frag.length, (type, s, e) => {
    if (type !== 'moof') return;
    walk(frag, s + 8, e, (t2, s2, e2) => {
      if (t2 !== 'traf') return;
      let id = 0;
      walk(frag, s2 + 8, e2, (t3, s3) => {
        if (t3 === 'tfhd') id = view.getUint32(s3 + 12);
        if (t3 !== 'tfdt') return;
        const v1 = frag[s3 + 8] === 1;
        const old = v1 ? view.getUint32(s3 + 12) * 2 ** 32 + view.getUint32(s3 + 16) : view.getUint32(s3 + 12);
        const next = Math.max(0, Math.round(map(id, old)));
        if (v1) {
          view.setUint32(s3 + 12, Math.floor(next / 2 ** 32));
          view.setUint32(s3 + 16, next % 2 ** 32);
        } else {
          view.setUint32(s3 + 12, next % 2 ** 32);
        }
      });
    });
  });
}

/**
 * Sets the durations in an init segment's mvhd/tkhd/mdhd (and mehd) to 0 ("unknown; see the
 * fragments"). mux.js writes 0xffffffff there, which ffprobe and players read as a 13-hour file.
 *
 * @param init - the ftyp+moov bytes, rewritten in place
 */
export function clearInitDurations(init: Uint8Array): void {
  const view = new DataView(init.buffer, init.byteOffset, init.byteLength);
  const zero = (at: number, v1: boolean): void => {
    view.setUint32(at, 0);
    if (v1) view.setUint32(at + 4, 0);
  };
  const visit = (type: string, s: number, e: number): void => {
    const v1 = init[s + 8] === 1;
    if (type === 'mvhd' || type === 'mdhd') zero(s + (v1 ? 32 : 24), v1);
    else if (type === 'tkhd') zero(s + (v1 ? 36 : 28), v1);
    else if (type === 'mehd') zero(s + 12, v1);
    else if (type === 'moov' || type === 'trak' || type === 'mdia' || type === 'mvex') walk(init, s + 8, e, visit);
  };
  walk(init, 0, init.length, visit);
}

/**
 * Decode-time end of each track in a fragment: tfdt plus the trun sample durations (or tfhd's
 * default duration), i.e. where the next fragment of that track continues.
 *
 * @param frag - moof/mdat pairs
 * @returns a map of track id to end decode time in the track's timescale
 */
export function trackEnds(frag: Uint8Array): Map<number, number> {
  const view = new DataView(frag.buffer, frag.byteOffset, frag.byteLength);
  const ends = new Map<number, number>();
  walk(frag, 0, frag.length, (type, s, e) => {
    if (type !== 'moof') return;
    walk(frag, s + 8, e, (t2, s2, e2) => {
      if (t2 !== 'traf') return;
      let id = 0;
      let base = 0;
      let sum = 0;
      let defaultDuration = 0;
      walk(frag, s2 + 8, e2, (t3, s3) => {
        const flags = view.getUint32(s3 + 8) & 0xffffff;
        if (t3 === 'tfhd') {
          id = view.getUint32(s3 + 12);
          const at = s3 + 16 + (flags & 0x1 ? 8 : 0) + (flags & 0x2 ? 4 : 0);
          if (flags & 0x8) defaultDuration = view.getUint32(at);
        } else if (t3 === 'tfdt') {
          base = frag[s3 + 8] === 1 ? view.getUint32(s3 + 12) * 2 ** 32 + view.getUint32(s3 + 16) : view.getUint32(s3 + 12);
        } else if (t3 === 'trun') {
          const count = view.getUint32(s3 + 12);
          let at = s3 + 16 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
          const stride = 4 * ((flags & 0x100 ? 1 : 0) + (flags & 0x200 ? 1 : 0) + (flags & 0x400 ? 1 : 0) + (flags & 0x800 ? 1 : 0));
          for (let i = 0; i < count; i++, at += stride) sum += flags & 0x100 ? view.getUint32(at) : defaultDuration;
        }
      });
      if (id > 0) ends.set(id, Math.max(ends.get(id) ?? 0, base + sum));
    });
  });
  return ends;
}
