import t from 'tap';
import { formatBytes, formatDuration, formatProgressLine, formatSummary, ProgressReporter, type ProgressSnapshot } from '../../src/cli/progress.js';

const snap: ProgressSnapshot = {
  segments: 12,
  bytes: 14_200_000,
  elapsedMs: 5_000,
  queued: 2,
  inFlight: 1,
  poolUsedBytes: 1_600_000,
  poolCapacityBytes: 4_194_304,
  dropped: 0,
  camerasRunning: 1,
  cameras: 1,
  held: false,
};

t.test('formatting', async (t) => {
  t.equal(formatBytes(812), '812 B');
  t.equal(formatBytes(1_500), '1.5 KB');
  t.equal(formatBytes(3_100_000_000), '3.10 GB');
  t.equal(formatBytes(2 ** 40), '1099.51 GB', 'totals past 2^31 format without overflow');
  t.equal(formatDuration(65_000), '1:05');
  t.equal(formatDuration(3_725_000), '1:02:05');
  t.equal(formatProgressLine(snap), '12 segments · 14.2 MB stored · 2.8 MB/s · queue 2 (1 in flight) · pool 38% · 0 dropped · 0:05');
  t.match(formatProgressLine({ ...snap, cameras: 3, camerasRunning: 2, held: true }), /2\/3 cameras · HELD: credentials refused · 0:05$/);
  t.equal(formatSummary(snap, 0), 'stored 12 segments (14.2 MB) in 0:05, 2.8 MB/s; 0 frames dropped');
  t.match(formatSummary({ ...snap, segments: 1, dropped: 1 }, 3), /stored 1 segment \(.*1 frame dropped; 3 segments NOT stored$/);
});

t.test('TTY: one line redrawn in place, erased before the summary; plain: lines, no escapes', async (t) => {
  let tty = '';
  let ttyOut = '';
  const r = new ProgressReporter({ write: (s: string) => (ttyOut += s) }, { write: (s: string) => (tty += s) }, 'tty');
  r.update(snap);
  r.update({ ...snap, segments: 13 });
  r.line('stored k1'); // the live line covers routine lines
  r.line('upload error: X', true);
  r.finish('done');
  t.equal(tty.split('\n').length, 2, 'only the warning ends a line on stderr');
  // eslint-disable-next-line no-control-regex -- the ESC of terminal control sequences is what this test checks
  t.match(tty, /^\r\x1b\[K12 segments.*\r\x1b\[K13 segments.*\r\x1b\[Kupload error: X\n$/);
  t.equal(ttyOut, 'done\n', 'the summary on stdout');
  let plain = '';
  let plainErr = '';
  const p = new ProgressReporter({ write: (s: string) => (plain += s) }, { write: (s: string) => (plainErr += s) }, 'plain');
  p.update(snap);
  p.line('stored k1');
  p.line('upload error: X', true);
  p.finish('done');
  t.equal(plain, 'stored k1\ndone\n', 'no escape codes when not a TTY');
  t.equal(plainErr, 'upload error: X\n');
  let none = '';
  const n = new ProgressReporter({ write: (s: string) => (none += s) }, { write: (s: string) => (none += s) }, 'none');
  n.line('stored k1');
  n.line('warning', true);
  n.finish('done');
  t.equal(none, 'warning\ndone\n');
});
