/*
 * s3hls player page: several cameras live at once, one hls.js per tile. Each tile reports its
 * own errors (cause and fix, as the main player) and gives up waiting after a bound.
 */
(function () {
  'use strict';
  var S = window.S3hls;
  /** More live players than this would fight for decoders and bandwidth; the rest are named. */
  var MAX_TILES = 16;
  /** A player or tile that has not started playing by then says so instead of spinning (a test may set it first). */
  S.START_TIMEOUT_MS = S.START_TIMEOUT_MS || 20000;

  /**
   * Calls `onTimeout` unless the video starts playing within `ms`.
   *
   * @returns a function that cancels the watch
   */
  S.watchStart = function (video, ms, onTimeout) {
    var timer = setTimeout(function () {
      video.removeEventListener('playing', ok);
      onTimeout();
    }, ms);
    function ok() {
      clearTimeout(timer);
      video.removeEventListener('playing', ok);
    }
    video.addEventListener('playing', ok);
    return ok;
  };

  /**
   * @param root element the tiles go into
   * @param onPick function(camera) when a tile's "Open" button is pressed
   */
  function Grid(root, onPick) {
    this.root = root;
    this.onPick = onPick;
    this.tiles = [];
    window.s3hlsGrid = this.tiles;
  }
  Grid.prototype.stop = function () {
    this.tiles.forEach(function (t) {
      if (t.hls) t.hls.destroy();
      t.cancelWatch();
    });
    this.tiles.length = 0;
    this.root.textContent = '';
  };
  Grid.prototype.show = function (cameras) {
    this.stop();
    var self = this;
    cameras.slice(0, MAX_TILES).forEach(function (camera) {
      self.tiles.push(self.tile(camera));
    });
    if (cameras.length > MAX_TILES) {
      var more = document.createElement('p');
      more.textContent = 'showing the first ' + MAX_TILES + ' of ' + cameras.length + ' cameras';
      this.root.appendChild(more);
    }
  };
  Grid.prototype.tile = function (camera) {
    var self = this;
    var fig = document.createElement('figure');
    fig.className = 'tile';
    var cap = document.createElement('figcaption');
    cap.textContent = camera + ' ';
    var open = document.createElement('button');
    open.type = 'button';
    open.textContent = 'Open';
    open.setAttribute('aria-label', 'Open ' + camera + ' in the player');
    open.onclick = function () {
      self.onPick(camera);
    };
    cap.appendChild(open);
    var video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    video.setAttribute('aria-label', camera + ' live');
    var note = document.createElement('p');
    note.className = 'tile-status';
    note.setAttribute('role', 'status');
    fig.appendChild(cap);
    fig.appendChild(video);
    fig.appendChild(note);
    this.root.appendChild(fig);
    var t = { camera: camera, video: video, hls: null, errors: [], fatal: null, cause: '', cancelWatch: function () {} };
    if (!window.Hls || !Hls.isSupported()) {
      note.textContent = 'hls.js is not supported in this browser';
      return t;
    }
    var hls = S.newHls();
    t.hls = hls;
    hls.on(Hls.Events.ERROR, function (_e, d) {
      t.errors.push({ type: d.type, details: d.details, fatal: d.fatal });
      var why = S.explain(d);
      if (why) {
        t.cause = why;
        note.textContent = why;
      }
      if (d.fatal) {
        t.fatal = d.details;
        if (!why) note.textContent = 'error: ' + d.details;
      }
    });
    t.cancelWatch = S.watchStart(video, S.START_TIMEOUT_MS, function () {
      if (!t.fatal && !t.cause) note.textContent = 'no live video after ' + S.START_TIMEOUT_MS / 1000 + ' s: the camera may not be uploading (live shows the last 10 minutes)';
    });
    video.addEventListener('playing', function () {
      if (!t.cause) note.textContent = '';
    });
    hls.loadSource(S.cameraPath(camera) + 'index.m3u8?live=1');
    hls.attachMedia(video);
    video.play().catch(function () {});
    note.textContent = 'loading…';
    return t;
  };
  S.Grid = Grid;
})();
