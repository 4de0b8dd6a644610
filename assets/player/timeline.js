/*
 * s3hls player page: the recordings timeline. One row per camera over the chosen day (or a zoomed
 * window of it): spans of footage as blocks, gaps as empty track, the export range as a band, the
 * playhead as a line. Click or drag on a row to seek (the seek happens on release, so a drag scrubs
 * without loading a playlist per pixel), Shift+drag to select a range; the row is a keyboard slider
 * (arrows 10 s, Shift+arrows 1 min, PageUp/PageDown 10 min, Home/End, Enter).
 */
(function () {
  'use strict';
  var S = window.S3hls;
  /** Tick spacings to choose from, ms: the first that gives at most 12 ticks over the view. */
  var TICK_STEPS = [1e3, 5e3, 1e4, 3e4, 6e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5];
  /** Keyboard moves settle for this long before they seek (one playlist load, not one per key). */
  var KEY_SEEK_DELAY_MS = 400;

  /**
   * @param root element to fill
   * @param opts { onSeek(camera, ms), onSelect(startMs, endMs), utc() }
   */
  function Timeline(root, opts) {
    this.root = root;
    this.opts = opts;
    this.day = [0, 1];
    this.view = [0, 1];
    this.cameras = [];
    this.rows = {};
    this.active = null;
    this.head = null;
    this.sel = null;
    this.drag = null;
    this.keyTimer = null;
  }
  var P = Timeline.prototype;

  P.setDay = function (start, end) {
    this.day = [start, end];
    this.view = [start, end];
    this.render();
  };
  /** Shows `lengthMs` of the day around `centerMs` (the whole day when the length covers it). */
  P.zoom = function (lengthMs, centerMs) {
    var d = this.day;
    if (!(lengthMs > 0) || lengthMs >= d[1] - d[0]) {
      this.view = [d[0], d[1]];
      this.render();
      return;
    }
    var c = isFinite(centerMs) ? centerMs : (this.view[0] + this.view[1]) / 2;
    var s = Math.min(Math.max(c - lengthMs / 2, d[0]), d[1] - lengthMs);
    this.view = [s, s + lengthMs];
    this.render();
  };
  /** Moves the view by a fraction of its length (negative: earlier). */
  P.pan = function (fraction) {
    var len = this.view[1] - this.view[0];
    this.zoom(len, (this.view[0] + this.view[1]) / 2 + fraction * len);
  };
  P.setCameras = function (cameras) {
    this.cameras = cameras.slice();
    var old = this.rows;
    this.rows = {};
    for (var i = 0; i < cameras.length; i++) this.rows[cameras[i]] = old[cameras[i]] || { spans: null, note: 'loading…' };
    this.render();
  };
  /** Spans ([{startMs, endMs, segments}]) of a camera, or null with a note (loading, error). */
  P.setSpans = function (camera, spans, note) {
    this.rows[camera] = { spans: spans, note: note || '' };
    this.render();
  };
  P.spansOf = function (camera) {
    return (this.rows[camera] && this.rows[camera].spans) || [];
  };
  P.setActive = function (camera) {
    this.active = camera;
    this.render();
  };
  /** The playhead's wall-clock time (null: none). The view follows it unless the user is dragging. */
  P.setPlayhead = function (ms) {
    if (this.drag) return;
    this.head = ms;
    if (ms !== null && (ms < this.view[0] || ms > this.view[1]) && ms >= this.day[0] && ms < this.day[1]) {
      this.zoom(this.view[1] - this.view[0], ms);
      return;
    }
    this.placeHead();
  };
  P.setSelection = function (a, b) {
    this.sel = a === null ? null : [Math.min(a, b), Math.max(a, b)];
    this.render();
  };

  P.pct = function (ms) {
    return ((ms - this.view[0]) / (this.view[1] - this.view[0])) * 100;
  };
  P.timeAt = function (track, clientX) {
    var r = track.getBoundingClientRect();
    var f = Math.min(Math.max((clientX - r.left) / r.width, 0), 1);
    return Math.round(this.view[0] + f * (this.view[1] - this.view[0]));
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  P.renderAxis = function () {
    var axis = el('div', 'tl-axis');
    axis.setAttribute('aria-hidden', 'true');
    axis.appendChild(el('span', 'tl-name', S.zoneName(this.view[0], this.opts.utc())));
    var scale = el('div', 'tl-scale');
    var len = this.view[1] - this.view[0];
    var step = TICK_STEPS[TICK_STEPS.length - 1];
    for (var i = 0; i < TICK_STEPS.length; i++)
      if (len / TICK_STEPS[i] <= 12) {
        step = TICK_STEPS[i];
        break;
      }
    // Ticks counted from the day's start, so they fall on round times of the chosen zone.
    var first = this.day[0] + Math.ceil((this.view[0] - this.day[0]) / step) * step;
    for (var t = first; t <= this.view[1]; t += step) {
      var tick = el('span', 'tl-tick', S.formatTime(t, this.opts.utc()).slice(0, step < 6e4 ? 8 : 5));
      tick.style.left = this.pct(t) + '%';
      scale.appendChild(tick);
    }
    axis.appendChild(scale);
    return axis;
  };

  P.renderRow = function (camera) {
    var self = this;
    var row = el('div', 'tl-row' + (camera === this.active ? ' active' : ''));
    row.dataset.camera = camera;
    row.appendChild(el('span', 'tl-name', camera));
    var track = el('div', 'tl-track');
    track.tabIndex = 0;
    track.setAttribute('role', 'slider');
    track.setAttribute('aria-label', 'Recordings of ' + camera + ' (arrows move, Enter plays, Shift+drag selects a range)');
    track.setAttribute('aria-valuemin', String(this.view[0]));
    track.setAttribute('aria-valuemax', String(this.view[1]));
    track.dataset.viewStart = String(this.view[0]);
    track.dataset.viewEnd = String(this.view[1]);
    var data = this.rows[camera] || { spans: null, note: '' };
    var spans = data.spans || [];
    for (var i = 0; i < spans.length; i++) {
      var sp = spans[i];
      if (sp.endMs <= this.view[0] || sp.startMs >= this.view[1]) continue;
      var b = el('div', 'tl-span');
      var l = Math.max(this.pct(sp.startMs), 0);
      b.style.left = l + '%';
      b.style.width = Math.min(this.pct(sp.endMs), 100) - l + '%';
      b.dataset.start = String(sp.startMs);
      b.dataset.end = String(sp.endMs);
      b.title = S.formatTime(sp.startMs, this.opts.utc()) + ' – ' + S.formatTime(sp.endMs, this.opts.utc()) + ' (' + sp.segments + ' segments)';
      track.appendChild(b);
    }
    if (this.sel && camera === this.active) {
      var band = el('div', 'tl-sel');
      var a = Math.max(this.pct(this.sel[0]), 0);
      band.style.left = a + '%';
      band.style.width = Math.max(Math.min(this.pct(this.sel[1]), 100) - a, 0) + '%';
      track.appendChild(band);
    }
    track.appendChild(el('div', 'tl-head'));
    track.addEventListener('pointerdown', function (e) {
      self.onDown(camera, track, e);
    });
    track.addEventListener('keydown', function (e) {
      self.onKey(camera, track, e);
    });
    row.appendChild(track);
    var noteText = data.note || (data.spans && data.spans.length === 0 ? 'no footage this day' : '');
    row.appendChild(el('span', 'tl-note', noteText));
    return row;
  };

  P.render = function () {
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest('.tl-row') : null;
    var focusCam = focused ? focused.dataset.camera : null;
    this.root.textContent = '';
    this.root.appendChild(this.renderAxis());
    for (var i = 0; i < this.cameras.length; i++) this.root.appendChild(this.renderRow(this.cameras[i]));
    this.placeHead();
    if (focusCam !== null) {
      var t = this.trackOf(focusCam);
      if (t) t.focus();
    }
  };
  P.trackOf = function (camera) {
    var rows = this.root.querySelectorAll('.tl-row');
    for (var i = 0; i < rows.length; i++) if (rows[i].dataset.camera === camera) return rows[i].querySelector('.tl-track');
    return null;
  };
  /** Moves the playhead line without rebuilding the rows (it moves four times a second). */
  P.placeHead = function () {
    var heads = this.root.querySelectorAll('.tl-row');
    for (var i = 0; i < heads.length; i++) {
      var cam = heads[i].dataset.camera;
      var head = heads[i].querySelector('.tl-head');
      var track = heads[i].querySelector('.tl-track');
      var on = cam === this.active && this.head !== null && this.head >= this.view[0] && this.head <= this.view[1];
      head.hidden = !on;
      if (on) head.style.left = this.pct(this.head) + '%';
      var now = cam === this.active && this.head !== null ? this.head : this.view[0];
      track.setAttribute('aria-valuenow', String(now));
      track.setAttribute('aria-valuetext', S.formatTime(now, this.opts.utc(), true) + ' ' + S.zoneName(now, this.opts.utc()));
    }
  };

  P.onDown = function (camera, track, e) {
    if (e.button !== 0) return;
    var self = this;
    e.preventDefault();
    track.focus();
    track.setPointerCapture(e.pointerId);
    var at = this.timeAt(track, e.clientX);
    this.drag = { camera: camera, select: e.shiftKey, anchor: at, at: at };
    if (!e.shiftKey) this.previewHead(camera, at);
    function move(ev) {
      var t = self.timeAt(track, ev.clientX);
      self.drag.at = t;
      if (self.drag.select) self.markSelection(track, self.drag.anchor, t);
      else self.previewHead(camera, t);
    }
    function up() {
      track.removeEventListener('pointermove', move);
      track.removeEventListener('pointerup', up);
      track.removeEventListener('pointercancel', up);
      var d = self.drag;
      self.drag = null;
      if (d.select) {
        if (d.at !== d.anchor) self.opts.onSelect(camera, Math.min(d.anchor, d.at), Math.max(d.anchor, d.at));
        else self.render();
      } else {
        self.opts.onSeek(camera, d.at);
      }
    }
    track.addEventListener('pointermove', move);
    track.addEventListener('pointerup', up);
    track.addEventListener('pointercancel', up);
  };
  /** The playhead drawn at a time on a row while dragging (before any playlist loads). */
  P.previewHead = function (camera, ms) {
    this.active = camera;
    this.head = ms;
    var rows = this.root.querySelectorAll('.tl-row');
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle('active', rows[i].dataset.camera === camera);
    this.placeHead();
  };
  P.markSelection = function (track, a, b) {
    var band = track.querySelector('.tl-sel');
    if (!band) {
      band = el('div', 'tl-sel');
      track.insertBefore(band, track.querySelector('.tl-head'));
    }
    var l = this.pct(Math.min(a, b));
    band.style.left = l + '%';
    band.style.width = this.pct(Math.max(a, b)) - l + '%';
  };

  P.onKey = function (camera, track, e) {
    var self = this;
    var base = camera === this.active && this.head !== null ? this.head : this.view[0];
    var to;
    switch (e.key) {
      case 'ArrowLeft':
      case 'ArrowDown':
        to = base - (e.shiftKey ? 6e4 : 1e4);
        break;
      case 'ArrowRight':
      case 'ArrowUp':
        to = base + (e.shiftKey ? 6e4 : 1e4);
        break;
      case 'PageDown':
        to = base - 6e5;
        break;
      case 'PageUp':
        to = base + 6e5;
        break;
      case 'Home':
        to = this.day[0];
        break;
      case 'End':
        to = this.day[1] - 1000;
        break;
      case 'Enter':
      case ' ':
        to = base;
        break;
      default:
        return;
    }
    e.preventDefault();
    to = Math.min(Math.max(to, this.day[0]), this.day[1] - 1);
    this.previewHead(camera, to);
    if (to < this.view[0] || to > this.view[1]) this.zoom(this.view[1] - this.view[0], to);
    clearTimeout(this.keyTimer);
    var delay = e.key === 'Enter' || e.key === ' ' ? 0 : KEY_SEEK_DELAY_MS;
    this.keyTimer = setTimeout(function () {
      self.opts.onSeek(camera, to);
    }, delay);
  };

  S.Timeline = Timeline;
})();
