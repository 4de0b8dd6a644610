/**
 * The built-in player page: plain HTML plus hls.js (served from node_modules by the endpoint),
 * listing cameras and playing live or a chosen range.
 *
 * The bearer token, when the endpoint has one, comes from the URL fragment (`/#token=...`, never
 * sent to the server, kept out of logs and Referer) or a prompt, and is attached only to requests
 * to this origin: segment URLs are presigned and must reach S3 without an Authorization header.
 * Fragment parameters `camera`, `mode` (`live` | `vod`), `start`, `end` start playback at once.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let hlsCache: string | undefined;

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
 * The page's HTML (static: no data, no secrets).
 *
 * @returns the HTML document
 */
export function playerPageHtml(): string {
  return PAGE;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>s3hls player</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font: 14px system-ui, sans-serif; margin: 1rem; }
 video { width: 100%; max-width: 960px; background: #000; display: block; margin-top: .5rem; }
 fieldset { display: inline-block; margin-right: 1rem; }
 #status { color: #555; }
 #status.error { color: #b00020; font-weight: 600; }
</style>
</head>
<body>
<h1>s3hls</h1>
<label>Camera <select id="camera"></select></label>
<fieldset><legend>Live</legend><button id="live">Play live</button></fieldset>
<fieldset><legend>Range (UTC)</legend>
 <input id="start" type="datetime-local" step="1"> to <input id="end" type="datetime-local" step="1">
 <button id="vod">Play range</button></fieldset>
<button id="token">Set token</button>
<p id="status" role="status" aria-live="polite"></p>
<video id="video" controls muted playsinline></video>
<script src="hls.min.js"></script>
<script>
(function () {
  'use strict';
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get('token') || sessionStorage.getItem('s3hls-token') || '';
  if (params.has('token')) {
    sessionStorage.setItem('s3hls-token', token);
    // Out of the address bar and history once read.
    params.delete('token');
    history.replaceState(null, '', location.pathname + location.search + (String(params) ? '#' + params : ''));
  }
  var state = { hls: null, errors: [], fatal: null, cause: '', url: null };
  window.s3hlsPlayer = state;
  var $ = function (id) { return document.getElementById(id); };
  function status(msg) { $('status').textContent = msg; }
  function authHeaders() { return token ? { Authorization: 'Bearer ' + token } : {}; }
  function api(path) {
    return fetch(path, { headers: authHeaders(), cache: 'no-cache' }).then(function (r) {
      if (r.status === 401) {
        var t = prompt('Access token for this endpoint');
        if (t) { token = t; sessionStorage.setItem('s3hls-token', t); return api(path); }
      }
      if (!r.ok) return r.text().then(function (t) { throw new Error(r.status + ': ' + t); });
      return r.json();
    });
  }
  function iso(local) { return local ? new Date(local + 'Z').toISOString() : ''; }
  // Every character of a time value percent-encoded: a '+' left raw in a query reads as a space
  // (the endpoint takes ' 01:00' as '+01:00' for hand-typed URLs, but the page sends it exact).
  function rangeQuery(start, end) { return 'start=' + encodeURIComponent(start) + '&end=' + encodeURIComponent(end); }
  // An hls.js error turned into its cause and the fix, so the page never just stalls: a
  // cross-origin segment GET that fails with no HTTP status is the browser blocking it (no CORS
  // rule on the bucket); a 403 from S3 is most often a presigned URL past its expiry.
  function explain(d) {
    var u = d.frag ? d.frag.url : (d.url || '');
    var code = d.response ? d.response.code : undefined;
    var cross = u && new URL(u, location.href).origin !== location.origin;
    if (d.details === 'fragLoadError' && cross && !code) {
      return 'the bucket refused cross-origin GETs from this page: run \`s3hls bucket setup\`';
    }
    if (d.details === 'fragLoadError' && code === 403) {
      return 'S3 refused a segment (403): the presigned URLs have probably expired; press Play again to get fresh ones';
    }
    if ((d.details === 'manifestLoadError' || d.details === 'levelLoadError') && code === 404) {
      return 'no footage in this range (the playlist endpoint answered 404); pick another range or check the camera';
    }
    if (d.details === 'manifestParsingError' || d.details === 'levelEmptyError') {
      return 'no footage in this range; pick another range';
    }
    return '';
  }
  function play(url) {
    if (state.hls) state.hls.destroy();
    state.errors = []; state.fatal = null; state.cause = ''; state.url = url;
    var video = $('video');
    if (!window.Hls || !Hls.isSupported()) { status('hls.js is not supported in this browser'); return; }
    var hls = new Hls({
      xhrSetup: function (xhr, u) {
        // Only our own endpoint gets the token: presigned S3 URLs must go without it.
        if (token && new URL(u, location.href).origin === location.origin) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
      }
    });
    state.hls = hls;
    hls.on(Hls.Events.ERROR, function (_e, d) {
      state.errors.push({ type: d.type, details: d.details, fatal: d.fatal, url: d.frag ? d.frag.url : (d.url || '') });
      var why = explain(d);
      if (why) { state.cause = why; status(why); }
      if (d.fatal) { state.fatal = d.details; if (!why) status('error: ' + d.details); }
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    video.play().catch(function () {});
    status('playing ' + url);
  }
  function cameraPath() {
    if (!$('camera').value) throw new Error('no camera');
    return 'cameras/' + encodeURIComponent($('camera').value) + '/'; }
  $('live').onclick = function () { play(cameraPath() + 'live.m3u8'); };
  $('vod').onclick = function () {
    play(cameraPath() + 'playlist.m3u8?' + rangeQuery(iso($('start').value), iso($('end').value)));
  };
  $('token').onclick = function () {
    var t = prompt('Access token', token);
    if (t !== null) { token = t; sessionStorage.setItem('s3hls-token', t); load(); }
  };
  function load() {
    return api('cameras').then(function (j) {
      var sel = $('camera'); sel.textContent = '';
      j.cameras.forEach(function (c) { var o = document.createElement('option'); o.value = o.textContent = c; sel.appendChild(o); });
      var want = params.get('camera');
      if (want) sel.value = want;
      status(j.cameras.length + ' camera(s)');
      if (want && sel.value !== want) { status('no camera ' + want); return; }
      var mode = params.get('mode');
      if (mode === 'live') $('live').onclick();
      if (mode === 'vod') {
        // The fragment is read as a query (URLSearchParams), so a raw '+' in it arrives here as a
        // space; the endpoint reads a space where an offset goes as '+'.
        play(cameraPath() + 'playlist.m3u8?' + rangeQuery(params.get('start') || '', params.get('end') || ''));
      }
    }).catch(function (e) { status(String(e.message || e)); });
  }
  load();
})();
</script>
</body>
</html>
`;
