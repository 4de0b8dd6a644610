/*
 * s3hls player page: "Export this range". The clip is fetched with the token (a plain link cannot
 * carry an Authorization header), shown with its progress, then handed to the browser as a
 * download under the server's file name. The browser holds the clip in memory until it is saved:
 * for hours of footage the page points to `s3hls export` instead (see docs/playback.md).
 */
(function () {
  'use strict';
  var S = window.S3hls;
  /** A clip whose bytes stop arriving for this long is abandoned with a message. */
  var STALL_MS = 60000;
  /** Ranges longer than this get a note that `s3hls export` streams to disk instead. */
  var LONG_RANGE_MS = 3600000;

  function fileName(r, camera, startMs, endMs) {
    var cd = r.headers.get('content-disposition') || '';
    var m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
    if (m) return decodeURIComponent(m[1]);
    var iso = function (ms) {
      return new Date(ms).toISOString().replace(/[:.]/g, '-');
    };
    return camera + '_' + iso(startMs) + '_' + iso(endMs) + '.mp4';
  }

  /** The server's refusal as a cause and a fix. */
  function refusal(r, text) {
    var t = String(text || '').trim();
    if (r.status === 400 && /no (playable )?(recording|segment|footage)/i.test(t)) {
      return 'nothing to export: ' + t + '; pick a range that overlaps footage (the blocks on the timeline)';
    }
    if (r.status === 400 && /longest|maximum|too long/i.test(t)) {
      return 'range too long to export here: ' + t + '; pick a shorter range or run `s3hls export` on the command line';
    }
    return S.httpProblem(r, t, 'export');
  }

  /**
   * Downloads the clip of [startMs, endMs) of a camera.
   *
   * @param report function(message, isError) for progress and the outcome
   * @returns a promise settled when the download was handed to the browser or failed (never rejects)
   */
  S.exportClip = function (camera, startMs, endMs, report) {
    var state = (S.lastExport = { camera: camera, startMs: startMs, endMs: endMs, status: 'running', bytes: 0, filename: '', error: '' });
    function fail(msg) {
      state.status = 'failed';
      state.error = msg;
      report(msg, true);
    }
    if (!camera) {
      fail('pick a camera first');
      return Promise.resolve();
    }
    if (!(endMs > startMs)) {
      fail('the export range is empty: set From before To (or Shift+drag on the timeline)');
      return Promise.resolve();
    }
    report(
      'exporting ' +
        Math.round((endMs - startMs) / 1000) +
        ' s of ' +
        camera +
        '…' +
        (endMs - startMs > LONG_RANGE_MS ? ' (long ranges are held in browser memory until saved; `s3hls export` streams to disk)' : ''),
      false,
    );
    var ctl = new AbortController();
    var timer = setTimeout(function () {
      ctl.abort();
    }, STALL_MS);
    function nudge() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        ctl.abort();
      }, STALL_MS);
    }
    var url = S.cameraPath(camera) + 'clip.mp4?' + S.rangeQuery(startMs, endMs);
    return fetch(url, { headers: S.authHeaders(), cache: 'no-store', signal: ctl.signal })
      .then(function (r) {
        nudge();
        if (!r.ok)
          return r.text().then(function (t) {
            fail(refusal(r, t));
          });
        var reader = r.body.getReader();
        var parts = [];
        function pump() {
          return reader.read().then(function (x) {
            nudge();
            if (x.done) return;
            parts.push(x.value);
            state.bytes += x.value.length;
            report('exporting… ' + (state.bytes / 1048576).toFixed(1) + ' MB', false);
            return pump();
          });
        }
        return pump().then(function () {
          clearTimeout(timer);
          var name = fileName(r, camera, startMs, endMs);
          var href = URL.createObjectURL(new Blob(parts, { type: 'video/mp4' }));
          var a = document.createElement('a');
          a.href = href;
          a.download = name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          // Revoked later: revoking at once can cancel the download before the browser read it.
          setTimeout(function () {
            URL.revokeObjectURL(href);
          }, 60000);
          state.status = 'done';
          state.filename = name;
          report('exported ' + name + ' (' + (state.bytes / 1048576).toFixed(1) + ' MB)', false);
        });
      })
      .catch(function (e) {
        clearTimeout(timer);
        fail(
          e && e.name === 'AbortError'
            ? 'export stalled: no data for ' + STALL_MS / 1000 + ' s; the endpoint may be overloaded or S3 unreachable, try a shorter range'
            : 'export failed: ' + (e && e.message ? e.message : e) + ' (is s3hls serve running?)',
        );
      });
  };
})();
