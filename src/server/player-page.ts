/**
 * The built-in player page: plain HTML plus hls.js (served from node_modules by the endpoint).
 * The page's own script and style are plain files in `assets/player/` (no bundler, no build
 * step), inlined into the HTML when it is first served, so the page stays one request and the
 * routes stay as they are.
 *
 * What it does (docs/playback.md, "The player page"): a timeline per camera for a chosen day with
 * spans and gaps, the playhead's wall-clock time (from EXT-X-PROGRAM-DATE-TIME) in the viewer's
 * zone or UTC, click/drag/keyboard seeking, live, "Export this range" (clip.mp4), a live grid of
 * several cameras, and errors shown with cause and fix.
 *
 * The bearer token, when the endpoint has one, comes from the URL fragment (`/#token=...`, never
 * sent to the server, kept out of logs and Referer) or a prompt, and is attached only to requests
 * to this origin: segment URLs are presigned and must reach S3 without an Authorization header.
 * Fragment parameters `camera`, `mode` (`live` | `vod`), `start`, `end`, `day`, `at`, `utc`,
 * `zoom`, `grid` start the page in a given state.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let hlsCache: string | undefined;
let pageCache: string | undefined;

/** The page's scripts, in load order: helpers first, the main player last. */
const SCRIPTS = ['util.js', 'media-clock.js', 'timeline.js', 'export.js', 'grid.js', 'player.js'] as const;

/**
 * The hls.js build the page loads, read once from node_modules.
 *
 * @returns the minified script
 * @throws Error when hls.js is not installed
 */
export function hlsJsSource(): string {
  if (hlsCache === undefined) {
    const require = createRequire(import.meta.url);
    let path: string;
    try {
      path = require.resolve('hls.js/dist/hls.min.js');
    } catch {
      // hls.js is an optionalDependency (only the player page needs it).
      throw new Error('the player page needs the optional package hls.js, which is not installed: run `npm install hls.js@1.7.4`');
    }
    hlsCache = readFileSync(path, 'utf8');
  }
  return hlsCache;
}

/**
 * Reads one file of `assets/player/`. The folder sits two levels above this module both in
 * `src/server/` (tests) and `dist/server/` (the package), and `assets` is in package.json "files".
 */
function asset(name: string): string {
  const url = new URL(`../../assets/player/${name}`, import.meta.url);
  try {
    return readFileSync(url, 'utf8');
  } catch (e) {
    throw new Error(`the player page's file assets/player/${name} is missing (${(e as Error).message}): reinstall s3hls`, { cause: e });
  }
}

/**
 * A script or style body made safe to inline: `</` would end the element early (HTML §13.1.2.6),
 * so it is written `<\/`, which JavaScript and CSS strings read the same.
 */
function inline(source: string): string {
  return source.replace(/<\//g, '<\\/');
}

/**
 * The page's HTML (static: no data, no secrets), with assets/player/ inlined; built once.
 *
 * @returns the HTML document
 * @throws Error when a file of assets/player/ is missing
 */
export function playerPageHtml(): string {
  if (pageCache === undefined) {
    const scripts = SCRIPTS.map((s) => `<script>\n${inline(asset(s))}</script>`).join('\n');
    pageCache = PAGE.replace('/*STYLE*/', () => inline(asset('player.css'))).replace('<!--SCRIPTS-->', () => scripts);
  }
  return pageCache;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>s3hls player</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
/*STYLE*/
</style>
</head>
<body>
<h1>s3hls</h1>
<main>
<div class="bar">
 <label>Camera <select id="camera"></select></label>
 <button id="live" type="button">Play live</button>
 <span>Playhead <output id="clock" aria-label="Playhead time" aria-live="off">--:--:--</output></span>
 <label><input id="utc" type="checkbox"> Show UTC</label>
 <button id="token" type="button">Set token</button>
</div>
<p id="status" class="status" role="status" aria-live="polite"></p>
<video id="video" controls muted playsinline aria-label="Player"></video>

<section aria-labelledby="tl-title">
<h2 id="tl-title">Recordings</h2>
<div class="bar">
 <button id="prev-day" type="button" aria-label="Previous day">◀ Day</button>
 <label>Day <input id="day" type="date"></label>
 <button id="next-day" type="button" aria-label="Next day">Day ▶</button>
 <label>Zoom <select id="zoom">
  <option value="0">whole day</option><option value="21600">6 hours</option><option value="3600">1 hour</option>
  <option value="900">15 minutes</option><option value="300">5 minutes</option><option value="60">1 minute</option>
 </select></label>
 <button id="pan-left" type="button" aria-label="Earlier">◀</button>
 <button id="pan-right" type="button" aria-label="Later">▶</button>
</div>
<p id="tl-status" class="status" role="status" aria-live="polite"></p>
<div id="timeline"></div>
<p class="tl-note">Click or drag on a camera's row to play from that time; Shift+drag selects the export range. Keyboard: focus a row, arrows move 10 s (Shift: 1 min), Page Up/Down 10 min, Enter plays.</p>
</section>

<section aria-labelledby="range-title">
<h2 id="range-title">Range</h2>
<div class="bar">
 <label>From <input id="start" type="datetime-local" step="1"></label>
 <label>To <input id="end" type="datetime-local" step="1"></label>
 <button id="mark-in" type="button">From playhead</button>
 <button id="mark-out" type="button">To playhead</button>
 <button id="vod" type="button">Play range</button>
 <button id="export" type="button">Export this range</button>
</div>
<p id="export-status" class="status" role="status" aria-live="polite"></p>
</section>

<section aria-labelledby="grid-title">
<h2 id="grid-title">Live grid</h2>
<div class="bar">
 <button id="grid-show" type="button">Show all cameras live</button>
 <button id="grid-stop" type="button">Stop grid</button>
</div>
<div id="grid"></div>
</section>
</main>
<script src="hls.min.js"></script>
<!--SCRIPTS-->
</body>
</html>
`;
