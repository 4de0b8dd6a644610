/*
 * s3hls player page: the wall-clock ↔ media-time mapping of a playing hls.js instance, and the start
 * of a playlist at a wall-clock instant.
 *
 * The mapping reads the fragments (start, duration, EXT-X-PROGRAM-DATE-TIME) of the level hls.js
 * plays. The page loads the multivariant playlist (index.m3u8), which names the media playlist but
 * holds no fragment: the fragments exist only after hls.js loaded that level (LEVEL_LOADED). And
 * hls.js loads a variant's playlist only once loading is started: with `autoStartLoad: false` and
 * a multivariant source, LEVEL_LOADED never comes until `startLoad()`, so a seek that waited for it
 * never happened (the cause of the failed switch to index.m3u8). {@link S.startAt} therefore starts
 * loading with segment buffering paused: the level playlist loads, no segment does, and the first
 * segment requested is the one at the seek target.
 */
(function () {
  'use strict';
  var S = window.S3hls;

  /** The fragments of the level `hls` plays (or is about to), [] before its playlist is loaded. */
  S.fragmentsOf = function (hls) {
    var lv = hls && hls.levels && hls.levels[hls.currentLevel >= 0 ? hls.currentLevel : 0];
    return (lv && lv.details && lv.details.fragments) || [];
  };

  /** Media time (video.currentTime) of a wall-clock instant in the loaded playlist, or null. */
  S.positionOf = function (hls, ms) {
    var fr = S.fragmentsOf(hls);
    for (var i = 0; i < fr.length; i++) {
      var f = fr[i];
      if (f.programDateTime === null) continue;
      if (ms < f.programDateTime) return f.start; // in a hole of the playlist: the next footage
      if (ms < f.programDateTime + f.duration * 1000) return f.start + (ms - f.programDateTime) / 1000;
    }
    return null;
  };

  /** Wall-clock instant (ms) shown at media time `t`: the fragment's PROGRAM-DATE-TIME plus the offset into it. */
  S.wallAt = function (hls, t) {
    var fr = S.fragmentsOf(hls);
    for (var i = 0; i < fr.length; i++) {
      var f = fr[i];
      // The last fragment includes its end: a VOD that played to the end stays at its last instant.
      var inside = t < f.start + f.duration || (i === fr.length - 1 && t <= f.start + f.duration + 0.1);
      if (f.programDateTime !== null && t >= f.start && inside) return f.programDateTime + (t - f.start) * 1000;
    }
    return null;
  };

  /**
   * Starts `hls` (made with `autoStartLoad: false`, source not yet loaded) at the wall-clock
   * instant `seekMs`, with a multivariant or a media playlist as its source.
   *
   * @param onPlaced function(position) once the level's fragments are known: the media time the
   *   load starts at, or null when the playlist has no footage at or after `seekMs` (nothing loads)
   */
  S.startAt = function (hls, seekMs, onPlaced) {
    hls.once(Hls.Events.MANIFEST_PARSED, function () {
      // Loads the variant's playlist (a media playlist source already carries it); no segment yet.
      hls.startLoad(-1);
      hls.pauseBuffering();
    });
    hls.once(Hls.Events.LEVEL_LOADED, function () {
      var pos = S.positionOf(hls, seekMs);
      onPlaced(pos);
      if (pos === null) hls.stopLoad();
      else hls.startLoad(pos); // resumes buffering, from the fragment at `pos`
    });
  };
})();
