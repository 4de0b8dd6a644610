/** A file input's wait for pool room speaks after a while and ends at its bound (src/cli/pool-wait.ts). */
import t from 'tap';
import { boundedPoolWait } from '../../src/cli/pool-wait.js';
import { parseBitrate, parseUploadArgs } from '../../src/cli/upload-options.js';

t.test('a wait that never gets room: notices, then the limit, once', async (t) => {
  const notices: string[] = [];
  const limits: string[] = [];
  let release: () => void = () => {};
  const never = new Promise<void>((r) => (release = r));
  const wait = boundedPoolWait(never, {
    limitMs: 350,
    noticeMs: 100,
    describe: () => 'camera c: waiting for uploads to free the pool (2 segment(s))',
    onNotice: (s) => notices.push(s),
    onLimit: (s) => {
      limits.push(s);
      release(); // the CLI ends the run, which wakes the waiter
    },
  });
  t.ok(wait);
  await wait;
  t.ok(notices.length >= 2, `notices: ${notices.length}`);
  t.match(notices[0], /waiting for uploads to free the pool \(2 segment\(s\)\) for 0 s/);
  t.equal(limits.length, 1);
  t.match(limits[0], /no room after 0 s, giving up/);
  const after = notices.length;
  await new Promise((r) => setTimeout(r, 250));
  t.equal(notices.length, after, 'timers cleared once the wait settled');
});

t.test('no room needed: no promise, no timers', async (t) => {
  t.equal(boundedPoolWait(undefined, { limitMs: 10, describe: () => '', onNotice: () => t.fail('notice'), onLimit: () => t.fail('limit') }), undefined);
});

t.test('--pool-size auto (the default) and --bitrate', async (t) => {
  const base = ['--bucket', 'footage', '--prefix', 'cams/a'];
  const auto = parseUploadArgs(['--input', 'x.mp4', ...base]).cameras[0];
  t.match(auto, { poolAuto: true, poolBytes: 4 * 1024 * 1024, bitrateBps: undefined });
  t.match(parseUploadArgs(['--input', 'x.mp4', ...base, '--pool-size', 'auto', '--bitrate', '12M']).cameras[0], { poolAuto: true, bitrateBps: 12_000_000 });
  t.match(parseUploadArgs(['--input', 'x.mp4', ...base, '--pool-size', '8M']).cameras[0], { poolAuto: false, poolBytes: 8 * 1024 * 1024 });
  t.equal(parseBitrate('4000k'), 4_000_000);
  t.equal(parseBitrate('2.5M'), 2_500_000);
  t.throws(() => parseBitrate('fast'), /--bitrate must be a bitrate from 10k to 1G .* got "fast"/);
  t.throws(() => parseBitrate('5'), /--bitrate must be/);
});
