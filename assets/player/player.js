/*
 * s3hls player page: the main player. Cameras, the day's timeline, live and VOD playback with
 * hls.js through the camera's multivariant playlist (index.m3u8: CODECS and RESOLUTION known
 * before the first segment), the playhead's wall-clock time (media-clock.js) in the viewer's zone
 * or UTC, seeking from the timeline, the export range.
 * window.s3hlsPlayer exposes the state for tests.
 */
(function () {
  'use strict';
  var S = window.S3hls;
  var $ = S.$;
  /** A click loads this much footage on each side of the clicked time (playback runs on across gaps in it). */
  var VOD_HALF_WINDOW_MS = 1800000;
  /** The endpoint's longest recordings.json range is 24 h: a 25-h DST day is asked for in parts. */
  var MAX_QUERY_MS = 86400000;
  /** How often the live camera's row asks for its spans again. */
  var LIVE_REFRESH_MS = 30000;
  var state = { hls: null, errors: [], fatal: null, cause: '', url: null, camera: '', mode: '', range: null, playheadMs: null, lastSeek: null, sel: null };
  window.s3hlsPlayer = state;
  var video = $('video');
  var pendingSeek = null;
  var cancelWatch = function () {};

  function status(msg, isError) {
    $('status').textContent = msg;
    $('status').classList.toggle('error', !!isError);
  }
  function tlStatus(msg, isError) {
    $('tl-status').textContent = msg;
    $('tl-status').classList.toggle('error', !!isError);
  }
  function utc() {
    return $('utc').checked;
  }
  function camera() {
    return $('camera').value;
  }

  var timeline = new S.Timeline($('timeline'), {
    utc: utc,
    onSeek: function (cam, ms) {
      seek(cam, ms);
    },
    onSelect: function (cam, a, b) {
      selectCamera(cam);
      setSelection(a, b);
    },
  });
  var grid = new S.Grid($('grid'), function (cam) {
    selectCamera(cam);
    live();
    $('video').scrollIntoView();
  });

  function updateClock() {
    var ms = state.hls && video.readyState > 0 ? S.wallAt(state.hls, video.currentTime) : null;
    state.playheadMs = ms;
    $('clock').textContent = ms === null ? '--:--:--' : S.formatTime(ms, utc(), true) + ' ' + S.zoneName(ms, utc());
    if (ms !== null) timeline.setPlayhead(ms);
  }
  setInterval(updateClock, 250);
  video.addEventListener('timeupdate', updateClock);
  function landed() {
    if (state.lastSeek && state.lastSeek.landedMs === null) {
      state.lastSeek.landedMs = S.wallAt(state.hls, video.currentTime);
      updateClock();
    }
  }
  video.addEventListener('seeked', landed);
  video.addEventListener('playing', landed);

  /** Where a pending seek starts (media time), once the level's fragments are known; null: no footage there. */
  function placed(pos) {
    var ms = pendingSeek;
    pendingSeek = null;
    if (pos === null) {
      state.cause = 'no footage at ' + S.formatTime(ms, utc(), true) + ' in this playlist; pick another time';
      status(state.cause, true);
      cancelWatch();
      return;
    }
    state.lastSeek = { targetMs: ms, position: pos, landedMs: null };
  }

  /** Plays a playlist URL; `seekMs` starts at that wall-clock time once the playlist is known. */
  function play(url, mode, seekMs) {
    if (state.hls) state.hls.destroy();
    cancelWatch();
    state.errors = [];
    state.fatal = null;
    state.cause = '';
    state.url = url;
    state.mode = mode;
    state.camera = camera();
    pendingSeek = seekMs === undefined ? null : seekMs;
    if (!window.Hls || !Hls.isSupported()) {
      status('hls.js is not supported in this browser', true);
      return;
    }
    var hls = S.newHls({ autoStartLoad: pendingSeek === null });
    state.hls = hls;
    hls.on(Hls.Events.ERROR, function (_e, d) {
      state.errors.push({ type: d.type, details: d.details, fatal: d.fatal, url: d.frag ? d.frag.url : d.url || '' });
      var why = S.explain(d);
      if (why) {
        state.cause = why;
        status(why, true);
      }
      if (d.fatal) {
        state.fatal = d.details;
        if (!why) status('error: ' + d.details, true);
      }
    });
    if (pendingSeek !== null) S.startAt(hls, pendingSeek, placed);
    hls.loadSource(url);
    hls.attachMedia(video);
    video.play().catch(function () {});
    cancelWatch = S.watchStart(video, S.START_TIMEOUT_MS, function () {
      if (!state.cause && !state.fatal)
        status(
          'nothing played within ' + S.START_TIMEOUT_MS / 1000 + ' s: the segments did not load (see the browser console); check that the endpoint can reach the bucket',
          true,
        );
    });
    status((mode === 'live' ? 'live: ' : 'playing ') + url);
  }
  state.play = play;

  function live() {
    if (!camera()) {
      status('no camera to play', true);
      return;
    }
    timeline.setActive(camera());
    // Live is today: show today's timeline so the playhead has a place on it.
    var today = S.dayOf(Date.now(), utc());
    if ($('day').value !== today) {
      $('day').value = today;
      loadDay();
    }
    play(S.cameraPath(camera()) + 'index.m3u8?live=1', 'live');
  }
  /** While live, the active camera's row is refreshed so its newest span grows with the recording. */
  setInterval(function () {
    var cam = state.camera;
    if (state.mode !== 'live' || !cam || Date.now() >= timeline.day[1] || timeline.drag) return;
    spansOf(cam, timeline.day[0], timeline.day[1]).then(
      function (spans) {
        timeline.setSpans(cam, spans);
      },
      function () {},
    );
  }, LIVE_REFRESH_MS);
  function playRange(startMs, endMs, seekMs) {
    state.range = [startMs, endMs];
    timeline.setActive(camera());
    play(S.cameraPath(camera()) + 'index.m3u8?' + S.rangeQuery(startMs, endMs), 'vod', seekMs);
  }

  /** Footage at or after `ms` on a camera's row: the time itself, the next span's start, or null. */
  function snap(cam, ms) {
    var spans = timeline.spansOf(cam);
    for (var i = 0; i < spans.length; i++) {
      if (ms < spans[i].startMs) return spans[i].startMs;
      if (ms < spans[i].endMs) return ms;
    }
    return null;
  }
  function seek(cam, ms) {
    selectCamera(cam);
    var known = timeline.rows[cam] && timeline.rows[cam].spans;
    var at = known ? snap(cam, ms) : ms;
    if (at === null) {
      tlStatus('no footage at or after ' + S.formatTime(ms, utc()) + ' on this day for ' + cam + ': pick an earlier time, another day, or press Live', true);
      return;
    }
    tlStatus(at !== ms ? 'no footage at ' + S.formatTime(ms, utc()) + ': jumped to the next recording at ' + S.formatTime(at, utc()) : '');
    // Within the loaded VOD playlist: a plain seek, no new playlist.
    if (state.hls && state.mode === 'vod' && state.camera === cam && !pendingSeek) {
      var pos = S.positionOf(state.hls, at);
      var fr = S.fragmentsOf(state.hls);
      var last = fr[fr.length - 1];
      if (pos !== null && last && last.programDateTime !== null && at < last.programDateTime + last.duration * 1000) {
        state.lastSeek = { targetMs: at, position: pos, landedMs: null };
        video.currentTime = pos;
        video.play().catch(function () {});
        return;
      }
    }
    var day = timeline.day;
    playRange(Math.max(day[0], at - VOD_HALF_WINDOW_MS), Math.min(day[1], at + VOD_HALF_WINDOW_MS), at);
  }

  function setSelection(a, b) {
    state.sel = [a, b];
    $('start').value = S.toInput(a, utc());
    $('end').value = S.toInput(b, utc());
    timeline.setSelection(a, b);
  }
  function selectionFromInputs() {
    var a = S.fromInput($('start').value, utc());
    var b = S.fromInput($('end').value, utc());
    state.sel = isFinite(a) && isFinite(b) ? [a, b] : null;
    timeline.setSelection(state.sel ? a : null, b);
  }
  function selectCamera(cam) {
    if (camera() !== cam) $('camera').value = cam;
    timeline.setActive(cam);
  }

  /** Loads every camera's spans for the day shown in the day picker. */
  function loadDay() {
    var day = $('day').value || S.dayOf(Date.now(), utc());
    $('day').value = day;
    var b = S.dayBounds(day, utc());
    timeline.setDay(b[0], b[1]);
    tlStatus('');
    return Promise.all(
      timeline.cameras.map(function (cam) {
        timeline.setSpans(cam, null, 'loading…');
        return spansOf(cam, b[0], b[1]).then(
          function (spans) {
            timeline.setSpans(cam, spans);
            if (cam === camera() && spans.length === 0) tlStatus('no footage for ' + cam + ' on ' + day + ' (' + S.zoneName(b[0], utc()) + '): pick another day', true);
          },
          function (e) {
            timeline.setSpans(cam, null, e.message);
            if (cam === camera()) tlStatus(e.message, true);
          },
        );
      }),
    ).then(applyZoom);
  }
  function spansOf(cam, from, to) {
    var parts = [];
    for (var s = from; s < to; s += MAX_QUERY_MS) parts.push([s, Math.min(to, s + MAX_QUERY_MS)]);
    return Promise.all(
      parts.map(function (p) {
        return S.api(S.cameraPath(cam) + 'recordings.json?' + S.rangeQuery(p[0], p[1]), 'recordings of ' + cam);
      }),
    ).then(function (lists) {
      var out = [];
      lists.forEach(function (list) {
        // The endpoint answers { camera, start, end, spans: [...] }; a bare array is accepted too.
        (Array.isArray(list) ? list : list.spans || []).forEach(function (x) {
          var sp = { startMs: Date.parse(x.start), endMs: Date.parse(x.end), segments: x.segments };
          var prev = out[out.length - 1];
          // A span crossing a query boundary is reported by both parts, each as far as it read:
          // one span (its segment count, shown in the tooltip, is then the larger part's).
          if (prev && sp.startMs <= prev.endMs) {
            prev.endMs = Math.max(prev.endMs, sp.endMs);
            prev.segments = Math.max(prev.segments, sp.segments);
          } else {
            out.push(sp);
          }
        });
      });
      return out;
    });
  }
  /** Applies the zoom choice, centred on the playhead, else the selection, else the newest footage. */
  function applyZoom() {
    var len = Number($('zoom').value) * 1000;
    var spans = timeline.spansOf(camera());
    var last = spans[spans.length - 1];
    var center = state.playheadMs !== null ? state.playheadMs : state.sel ? (state.sel[0] + state.sel[1]) / 2 : last ? (last.startMs + last.endMs) / 2 : NaN;
    timeline.zoom(len, center);
  }

  function loadCameras() {
    return S.api('cameras', 'camera list').then(function (j) {
      var sel = $('camera');
      var keep = sel.value || S.params.get('camera');
      sel.textContent = '';
      j.cameras.forEach(function (c) {
        var o = document.createElement('option');
        o.value = o.textContent = c;
        sel.appendChild(o);
      });
      if (keep) sel.value = keep;
      timeline.setCameras(j.cameras);
      timeline.setActive(sel.value);
      status(j.cameras.length + ' camera(s)');
      if (j.cameras.length === 0) status("no cameras under this endpoint's root prefix yet: start an upload (s3hls upload) or check --root-prefix", true);
      return j.cameras;
    });
  }

  function start() {
    var p = S.params;
    if (p.get('utc') === '1') $('utc').checked = true;
    if (p.get('zoom')) $('zoom').value = p.get('zoom');
    var startMs = p.get('start') ? Date.parse(p.get('start')) : NaN;
    var at = p.get('at') ? Date.parse(p.get('at')) : NaN;
    $('day').value = p.get('day') || S.dayOf(isFinite(at) ? at : isFinite(startMs) ? startMs : Date.now(), utc());
    loadCameras()
      .then(function (cameras) {
        var want = p.get('camera');
        if (want && camera() !== want) {
          status('no camera ' + want, true);
          return;
        }
        var mode = p.get('mode');
        if (mode === 'live') live();
        if (mode === 'vod') {
          // The fragment is read as a query (URLSearchParams), so a raw '+' in it arrives here as a
          // space; the endpoint reads a space where an offset goes as '+'.
          state.range = null;
          play(S.cameraPath(camera()) + 'index.m3u8?start=' + encodeURIComponent(p.get('start') || '') + '&end=' + encodeURIComponent(p.get('end') || ''), 'vod');
        }
        if (p.get('grid') === '1') grid.show(cameras);
        return loadDay().then(function () {
          if (isFinite(at) && camera()) seek(camera(), at);
        });
      })
      .catch(function (e) {
        status(String(e.message || e), true);
      });
  }

  $('camera').onchange = function () {
    timeline.setActive(camera());
  };
  $('live').onclick = live;
  $('vod').onclick = function () {
    selectionFromInputs();
    if (!state.sel || !(state.sel[1] > state.sel[0])) {
      status('set From before To to play a range', true);
      return;
    }
    playRange(state.sel[0], state.sel[1]);
  };
  $('start').onchange = $('end').onchange = selectionFromInputs;
  $('mark-in').onclick = function () {
    if (state.playheadMs !== null) setSelection(state.playheadMs, state.sel ? Math.max(state.sel[1], state.playheadMs) : state.playheadMs + 60000);
  };
  $('mark-out').onclick = function () {
    if (state.playheadMs !== null) setSelection(state.sel ? Math.min(state.sel[0], state.playheadMs) : state.playheadMs - 60000, state.playheadMs);
  };
  $('export').onclick = function () {
    selectionFromInputs();
    var s = state.sel || [NaN, NaN];
    S.exportClip(camera(), s[0], s[1], function (msg, isError) {
      $('export-status').textContent = msg;
      $('export-status').classList.toggle('error', !!isError);
    });
  };
  $('day').onchange = loadDay;
  $('prev-day').onclick = function () {
    $('day').value = S.dayOf(timeline.day[0] - 3600000, utc());
    loadDay();
  };
  $('next-day').onclick = function () {
    $('day').value = S.dayOf(timeline.day[1] + 3600000, utc());
    loadDay();
  };
  $('utc').onchange = function () {
    // The instants stay; only how they are shown (and where the day starts) changes.
    if (state.sel) setSelection(state.sel[0], state.sel[1]);
    $('day').value = S.dayOf(state.playheadMs !== null ? state.playheadMs : (timeline.day[0] + timeline.day[1]) / 2, utc());
    loadDay();
    updateClock();
  };
  $('zoom').onchange = applyZoom;
  $('pan-left').onclick = function () {
    timeline.pan(-0.5);
  };
  $('pan-right').onclick = function () {
    timeline.pan(0.5);
  };
  $('grid-show').onclick = function () {
    var cams = Array.prototype.map.call($('camera').options, function (o) {
      return o.value;
    });
    grid.show(cams);
  };
  $('grid-stop').onclick = function () {
    grid.stop();
  };
  $('token').onclick = function () {
    var t = prompt('Access token', S.getToken());
    if (t !== null) {
      S.setToken(t);
      loadCameras()
        .then(loadDay)
        .catch(function (e) {
          status(String(e.message || e), true);
        });
    }
  };
  start();
})();
