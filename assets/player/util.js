/*
 * s3hls player page: shared helpers (token, endpoint requests with a time bound, time formatting
 * in the viewer's zone or UTC, hls.js error explanations). Plain ES5-style script, no build step:
 * the server inlines the files of assets/player/ into the page (src/server/player-page.ts).
 */
(function () {
  'use strict';
  var S = (window.S3hls = window.S3hls || {});
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get('token') || sessionStorage.getItem('s3hls-token') || '';
  if (params.has('token')) {
    sessionStorage.setItem('s3hls-token', token);
    // Out of the address bar and history once read.
    params.delete('token');
    history.replaceState(null, '', location.pathname + location.search + (String(params) ? '#' + params : ''));
  }
  /** Fragment parameters (camera, mode, start, end, day, utc, zoom, grid), token removed. */
  S.params = params;
  /** Requests to the endpoint that get no answer within this are given up with a message. */
  S.REQUEST_TIMEOUT_MS = 20000;

  S.getToken = function () {
    return token;
  };
  S.setToken = function (t) {
    token = t;
    sessionStorage.setItem('s3hls-token', t);
  };
  S.$ = function (id) {
    return document.getElementById(id);
  };
  S.authHeaders = function () {
    return token ? { Authorization: 'Bearer ' + token } : {};
  };
  /** True for a URL on this page's origin: only those get the token (presigned S3 URLs must not). */
  S.sameOrigin = function (u) {
    return new URL(u, location.href).origin === location.origin;
  };

  /** fetch with the token and a time bound; the error message says which request and why. */
  S.request = function (path, init) {
    var ctl = new AbortController();
    var timer = setTimeout(
      function () {
        ctl.abort();
      },
      (init && init.timeoutMs) || S.REQUEST_TIMEOUT_MS,
    );
    return fetch(path, { headers: S.authHeaders(), cache: 'no-cache', signal: ctl.signal }).then(
      function (r) {
        clearTimeout(timer);
        if (r.status === 401 && !(init && init.noPrompt)) {
          var t = prompt('Access token for this endpoint');
          if (t) {
            S.setToken(t);
            return S.request(path, init);
          }
        }
        return r;
      },
      function (e) {
        clearTimeout(timer);
        throw new Error(
          e && e.name === 'AbortError'
            ? 'the endpoint did not answer ' + path.split('?')[0] + ' within ' + S.REQUEST_TIMEOUT_MS / 1000 + ' s: is s3hls serve running and reachable?'
            : 'could not reach the endpoint for ' + path.split('?')[0] + ' (' + e.message + '): is s3hls serve running?',
        );
      },
    );
  };
  /** A response that is not 2xx as one sentence with the fix where one is known. */
  S.httpProblem = function (r, body, what) {
    var text = String(body || '').trim();
    if (r.status === 401) return what + ': the endpoint wants an access token (401): press "Set token" or open the page with #token=...';
    if (r.status === 404) return what + ': this endpoint has no such route (404): update s3hls serve';
    if (r.status === 502) return what + ': the endpoint could not read the bucket (502): see the s3hls serve log (credentials, bucket name, region)';
    return what + ' failed (' + r.status + '): ' + text;
  };
  /** GET JSON from the endpoint; rejects with a readable Error. */
  S.api = function (path, what) {
    return S.request(path).then(function (r) {
      return r.text().then(function (t) {
        if (!r.ok) throw new Error(S.httpProblem(r, t, what || path.split('?')[0]));
        return JSON.parse(t);
      });
    });
  };
  S.cameraPath = function (camera) {
    return 'cameras/' + encodeURIComponent(camera) + '/';
  };
  // Every character of a time value percent-encoded: a '+' left raw in a query reads as a space.
  S.rangeQuery = function (startMs, endMs) {
    return 'start=' + encodeURIComponent(new Date(startMs).toISOString()) + '&end=' + encodeURIComponent(new Date(endMs).toISOString());
  };

  function pad(n, w) {
    n = String(n);
    while (n.length < (w || 2)) n = '0' + n;
    return n;
  }
  /** Calendar fields of an instant in UTC or the viewer's zone. */
  function fields(ms, utc) {
    var d = new Date(ms);
    return utc
      ? { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() }
      : { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), ms: d.getMilliseconds() };
  }
  /** 'HH:MM:SS' (or with the date) in the chosen zone. */
  S.formatTime = function (ms, utc, withDate) {
    var f = fields(ms, utc);
    var time = pad(f.h) + ':' + pad(f.mi) + ':' + pad(f.s);
    return withDate ? f.y + '-' + pad(f.mo) + '-' + pad(f.d) + ' ' + time : time;
  };
  /** The zone's short name at an instant ('UTC', 'EST', 'GMT+1'). */
  S.zoneName = function (ms, utc) {
    if (utc) return 'UTC';
    var part = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date(ms)).filter(function (p) {
      return p.type === 'timeZoneName';
    })[0];
    return part ? part.value : 'local';
  };
  /** 'YYYY-MM-DD' of an instant in the chosen zone (a date input's value). */
  S.dayOf = function (ms, utc) {
    var f = fields(ms, utc);
    return f.y + '-' + pad(f.mo) + '-' + pad(f.d);
  };
  /** [start, end) of a calendar day in the chosen zone, ms (23 or 25 h on a DST change). */
  S.dayBounds = function (day, utc) {
    var p = day.split('-').map(Number);
    return utc ? [Date.UTC(p[0], p[1] - 1, p[2]), Date.UTC(p[0], p[1] - 1, p[2] + 1)] : [new Date(p[0], p[1] - 1, p[2]).getTime(), new Date(p[0], p[1] - 1, p[2] + 1).getTime()];
  };
  /** A datetime-local value for an instant in the chosen zone. */
  S.toInput = function (ms, utc) {
    var f = fields(ms, utc);
    return f.y + '-' + pad(f.mo) + '-' + pad(f.d) + 'T' + pad(f.h) + ':' + pad(f.mi) + ':' + pad(f.s);
  };
  /** The instant of a datetime-local value read in the chosen zone; NaN when empty or bad. */
  S.fromInput = function (value, utc) {
    if (!value) return NaN;
    // Without a zone, ECMAScript reads a date-time as local time; a 'Z' makes it UTC.
    return new Date(value + (utc ? 'Z' : '')).getTime();
  };

  // An hls.js error turned into its cause and the fix, so the page never just stalls: a
  // cross-origin segment GET that fails with no HTTP status is the browser blocking it (no CORS
  // rule on the bucket); a 403 from S3 is most often a presigned URL past its expiry.
  S.explain = function (d) {
    var u = d.frag ? d.frag.url : d.url || '';
    var code = d.response ? d.response.code : undefined;
    var cross = u && !S.sameOrigin(u);
    if (d.details === 'fragLoadError' && cross && !code) {
      return 'the bucket refused cross-origin GETs from this page: run `s3hls bucket setup`';
    }
    if (d.details === 'fragLoadError' && code === 403) {
      return 'S3 refused a segment (403): the presigned URLs have probably expired; press Play again to get fresh ones';
    }
    if (d.details === 'fragLoadError' && code === 404) {
      return 'a segment in the playlist is gone from the bucket (404): it may have been expired by the retention rule; pick a later time';
    }
    if ((d.details === 'manifestLoadError' || d.details === 'levelLoadError') && code === 404) {
      return 'no footage in this range (the playlist endpoint answered 404); pick another range or check the camera';
    }
    if (d.details === 'manifestParsingError' || d.details === 'levelEmptyError') {
      return 'no footage in this range; pick another range';
    }
    if ((d.details === 'manifestLoadError' || d.details === 'levelLoadError') && code === 401) {
      return 'the endpoint wants an access token (401): press "Set token" or open the page with #token=...';
    }
    // index.m3u8's CODECS let hls.js ask MSE before any segment loads; without them the same
    // refusal comes later, when the SourceBuffer is added (bufferAddCodecError).
    if (d.details === 'manifestIncompatibleCodecsError' || d.details === 'bufferAddCodecError') {
      var what = d.details === 'bufferAddCodecError' ? d.mimeType || 'the stream' : ((/CODECS[^:]*: (.*)$/.exec(d.reason || '') || [])[1] || 'the playlist').replace(/[[\]"]/g, '');
      return (
        "this browser cannot decode the camera's codecs (" +
        what +
        '): browsers play H.264 with AAC-LC or HE-AAC (mp4a.40.2, .5, .29), not AAC Main, SSR or LTP (mp4a.40.1, .3, .4); re-encode the audio to AAC-LC before s3hls (ffmpeg -c:a aac) or upload with --no-audio'
      );
    }
    if (d.details === 'manifestLoadTimeOut' || d.details === 'levelLoadTimeOut') {
      return 'the playlist endpoint did not answer in time: is s3hls serve running and can it reach the bucket?';
    }
    return '';
  };
  /** A new Hls that sends the token only to this origin. */
  S.newHls = function (extra) {
    var cfg = {
      xhrSetup: function (xhr, u) {
        // Only our own endpoint gets the token: presigned S3 URLs must go without it.
        if (token && S.sameOrigin(u)) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
      },
    };
    for (var k in extra || {}) cfg[k] = extra[k];
    return new Hls(cfg);
  };
})();
