/**
 * The playlist requests a page makes, as the browser sent them (playwright's request log), and the
 * check that every media playlist it loaded was reached through the camera's multivariant playlist
 * (`index.m3u8`), with start/end/live passed through: the page's own state could claim any URL,
 * the request log cannot.
 */
import type { Page } from 'playwright-core';

/** One playlist request: the camera folder, the file and the query. */
export interface PlaylistRequest {
  /** e.g. `/cameras/yard/` */
  readonly dir: string;
  /** `index.m3u8`, `playlist.m3u8` or `live.m3u8` */
  readonly file: string;
  readonly query: URLSearchParams;
  /** Path and query as requested (for messages). */
  readonly text: string;
}

/**
 * Starts recording the `.m3u8` requests of a page, in the order the browser sends them.
 *
 * @param page - the page, before it navigates
 * @returns the log, filled as requests go out
 */
export function recordPlaylistRequests(page: Page): PlaylistRequest[] {
  const log: PlaylistRequest[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!u.pathname.endsWith('.m3u8')) return;
    const cut = u.pathname.lastIndexOf('/') + 1;
    log.push({ dir: u.pathname.slice(0, cut), file: u.pathname.slice(cut), query: u.searchParams, text: u.pathname + u.search });
  });
  return log;
}

/** What {@link throughIndex} found. */
export interface Chain {
  /** Multivariant requests. */
  readonly index: number;
  /** Media playlist requests (each reload of a live playlist counts). */
  readonly media: number;
  /** Media playlist requests no earlier `index.m3u8` request of the same camera leads to. */
  readonly orphans: string[];
}

/** The media playlist an `index.m3u8` query points at (src/playlist/multivariant.ts multivariantTarget). */
function expectedMedia(q: URLSearchParams): { file: string; start: string | null; end: string | null } {
  const live = q.has('live') || !q.get('start');
  return { file: live ? 'live.m3u8' : 'playlist.m3u8', start: q.get('start') || null, end: live ? null : q.get('end') || null };
}

/**
 * Checks that each media playlist request follows a multivariant request of the same camera that
 * names exactly it (same file, same start and end).
 *
 * @param log - from {@link recordPlaylistRequests}
 * @returns counts and the requests that came from nowhere
 */
export function throughIndex(log: readonly PlaylistRequest[]): Chain {
  let index = 0;
  let media = 0;
  const orphans: string[] = [];
  for (const [i, r] of log.entries()) {
    if (r.file === 'index.m3u8') {
      index += 1;
      continue;
    }
    media += 1;
    const led = log.slice(0, i).some((x) => {
      if (x.file !== 'index.m3u8' || x.dir !== r.dir) return false;
      const want = expectedMedia(x.query);
      return want.file === r.file && want.start === r.query.get('start') && want.end === r.query.get('end');
    });
    if (!led) orphans.push(r.text);
  }
  return { index, media, orphans };
}

/**
 * Starts recording the segment requests of a page (object keys of src/keys/object-keys.ts, whatever
 * host serves them) as the start times their names carry, in the order the browser sends them.
 *
 * @param page - the page, before it navigates
 * @returns the log of start times, ms since the epoch
 */
export function recordSegmentStarts(page: Page): number[] {
  const log: number[] = [];
  page.on('request', (r) => {
    const m = /\/(\d+)-\d+-\d+(?:-d)?\.ts$/.exec(new URL(r.url()).pathname);
    if (m) log.push(Number(m[1]));
  });
  return log;
}
