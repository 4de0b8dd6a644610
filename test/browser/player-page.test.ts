/**
 * The player page in Debian chromium against `serve` + s3rver on loopback, with real segments
 * seeded as two spans of footage with a gap between them (and a second camera): the timeline draws
 * the spans where they are, a click plays from the clicked wall-clock time (the playhead, read
 * from EXT-X-PROGRAM-DATE-TIME, lands within one segment of it) shown in the viewer's zone or UTC,
 * the keyboard moves the playhead, "Export this range" downloads an MP4 that ffprobe and ffmpeg
 * read, a bucket without CORS shows the cause and fix, and the live grid plays every camera.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver, presignedUrlResolver } from '../../src/playlist/segment-urls.js';
import { startS3 } from '../helpers/s3server.js';
import { CHROMIUM, launch, makeSegments } from './browser-fixtures.js';
import { startPageServer } from './page-server.js';
import { landedNear, seed, wallText, xOf } from './page-helpers.js';
import { recordPlaylistRequests, recordSegmentStarts, throughIndex } from './playlist-requests.js';

const TOKEN = 'player-page-token-0123456789';
const ZONE = 'America/New_York';
/** Span A: segments 0-5 from here; span B: segments 6-11 from here + 60 s (a 48-s gap). */
const T0 = Date.parse('2026-11-20T15:00:00Z');
const B0 = T0 + 60_000;
const DAY = '2026-11-20';

t.test('the player page in chromium', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium)` }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 's3hls-page-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const segs = makeSegments(work);
  t.equal(segs.length, 12, '12 segments of 2 s');
  t.ok(
    segs.every((s) => s.durationMs === 2000),
    'every segment is 2 s',
  );

  const s3 = await startS3({ cors: true });
  t.teardown(() => s3.close());
  const client = s3.client();
  await seed(client, s3.bucket, 'cams/yard', segs, 0, 6, T0);
  await seed(client, s3.bucket, 'cams/yard', segs, 6, 12, B0);
  await seed(client, s3.bucket, 'cams/door', segs, 0, 12, T0 + 150_000);
  const urls = presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 600 });
  const server = await startPageServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls, accessToken: TOKEN });
  t.teardown(() => server.close());
  t.comment(`recordings.json: ${server.interim.recordings ? 'interim stand-in' : 'the endpoint'}; clip.mp4: ${server.interim.clip ? 'interim stand-in' : 'the endpoint'}`);

  const context = await launch(ZONE);
  t.teardown(() => context.close());
  const page = await context.newPage();
  const playlists = recordPlaylistRequests(page);
  const segmentStarts = recordSegmentStarts(page);
  const failed: string[] = [];
  // ERR_ABORTED is hls.js dropping a segment load it no longer needs after a seek, not a failure.
  page.on('requestfailed', (r) => void (r.failure()?.errorText !== 'net::ERR_ABORTED' && failed.push(`${r.url()} ${r.failure()?.errorText}`)));
  // The export of a range without footage is refused with 400 on purpose (its own test below).
  page.on('response', (r) => void (r.status() >= 400 && !(r.status() === 400 && r.url().includes('/clip.mp4?')) && failed.push(`${r.url()} ${r.status()}`)));
  await page.goto(`${server.url}/#${new URLSearchParams({ token: TOKEN, camera: 'yard', day: DAY, zoom: '300' })}`);
  await page.waitForFunction(() => document.querySelectorAll('.tl-row[data-camera="yard"] .tl-span').length > 0, undefined, { timeout: 20_000 });

  t.test("the timeline shows each camera's spans with the gap between them", async (t) => {
    t.same(await page.locator('.tl-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['camera'])), ['door', 'yard'], 'one row per camera');
    const spans = page.locator('.tl-row[data-camera="yard"] .tl-span');
    t.equal(await spans.count(), 2, 'two spans on the yard row');
    const times = await spans.evaluateAll((els) => els.map((e) => [Number((e as HTMLElement).dataset['start']), Number((e as HTMLElement).dataset['end'])]));
    t.same(
      times,
      [
        [T0, T0 + 12_000],
        [B0, B0 + 12_000],
      ],
      'span times are the seeded ones',
    );
    const a = (await spans.nth(0).boundingBox())!;
    const b = (await spans.nth(1).boundingBox())!;
    const track = (await page.locator('.tl-row[data-camera="yard"] .tl-track').boundingBox())!;
    const pxPerMs = track.width / 300_000;
    const gapPx = b.x - (a.x + a.width);
    t.ok(Math.abs(gapPx - 48_000 * pxPerMs) < 2, `the gap is drawn ${gapPx.toFixed(1)} px wide (48 s at ${(pxPerMs * 1000).toFixed(2)} px/s)`);
    t.ok(Math.abs(a.width - 12_000 * pxPerMs) < 2, `span A is ${a.width.toFixed(1)} px (12 s)`);
    t.equal(await page.locator('.tl-row[data-camera="door"] .tl-span').count(), 1, 'the door row has its one span');
    const ticks = await page.locator('.tl-tick').allTextContents();
    t.ok(ticks.includes('10:00:00'), `axis ticks in the viewer's zone (${ZONE}): ${ticks.join(' ')}`);
  });

  t.test("a click plays from the clicked time; the playhead shows it in the viewer's zone or UTC", async (t) => {
    const want = B0 + 5_300;
    const { x, box } = await xOf(page, 'yard', want);
    const before = segmentStarts.length;
    await page.locator('.tl-row[data-camera="yard"] .tl-track').click({ position: { x, y: box.height / 2 } });
    const msPerPx = 300_000 / box.width;
    const seek = await landedNear(page, want, msPerPx + 1);
    // The multivariant playlist holds no fragment: the seek is placed once hls.js loaded the level,
    // and the first segment fetched is the one holding the target, not the playlist's first (T0).
    const first = segmentStarts[before];
    t.ok(
      first <= seek.targetMs && seek.targetMs < first + 2000,
      `first segment fetched starts ${new Date(first).toISOString()} (the playlist's first is ${new Date(T0).toISOString()})`,
    );
    // The browser's own request log: the click loaded the camera's multivariant playlist for a window
    // around the clicked time, and hls.js went from it to the media playlist it names.
    const index = playlists.filter((r) => r.file === 'index.m3u8');
    const last = index[index.length - 1];
    t.equal(last?.dir, '/cameras/yard/', `the click loaded ${last?.text}`);
    const [from, to] = [Date.parse(last?.query.get('start') ?? ''), Date.parse(last?.query.get('end') ?? '')];
    t.ok(from <= want && want < to, `its range ${new Date(from).toISOString()}..${new Date(to).toISOString()} holds the clicked time`);
    t.equal(playlists[playlists.indexOf(last) + 1]?.file, 'playlist.m3u8', 'then the media playlist it names');
    t.ok(
      Math.abs(seek.targetMs - want) <= msPerPx + 1,
      `the click maps to ${new Date(seek.targetMs).toISOString()} (wanted ${new Date(want).toISOString()}, ${msPerPx.toFixed(0)} ms per px)`,
    );
    t.ok(
      Math.abs(seek.landedMs! - seek.targetMs) < 2000,
      `the playhead landed at ${new Date(seek.landedMs!).toISOString()}, ${seek.landedMs! - seek.targetMs} ms from the target (< one 2-s segment)`,
    );
    const read = (): Promise<{ text: string; ms: number | null }> =>
      page.evaluate(() => ({
        text: document.getElementById('clock')!.textContent ?? '',
        ms: (window as unknown as { s3hlsPlayer: { playheadMs: number | null } }).s3hlsPlayer.playheadMs,
      }));
    await page.waitForFunction((l) => ((window as unknown as { s3hlsPlayer: { playheadMs: number | null } }).s3hlsPlayer.playheadMs ?? 0) > l + 1000, seek.landedMs!, {
      timeout: 15_000,
    });
    const local = await read();
    t.equal(local.text, wallText(local.ms!, ZONE), `the clock reads ${local.text}`);
    t.match(local.text, /^2026-11-20 10:01:[01]\d E[SD]T$/, 'local time in New York, 5 h behind UTC');
    await page.locator('#utc').check();
    const inUtc = await read();
    t.equal(inUtc.text, wallText(inUtc.ms!, 'UTC'), `with UTC: ${inUtc.text}`);
    await page.locator('#utc').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('.tl-row[data-camera="yard"] .tl-span').length === 2);
  });

  t.test('a click in the gap jumps to the next span; the keyboard moves the playhead', async (t) => {
    const { x, box } = await xOf(page, 'yard', T0 + 30_000);
    await page.locator('.tl-row[data-camera="yard"] .tl-track').click({ position: { x, y: box.height / 2 } });
    const seek = await landedNear(page, B0, 1);
    t.ok(Math.abs(seek.landedMs! - B0) < 2000, `landed at ${new Date(seek.landedMs!).toISOString()}, the start of span B`);
    t.match(await page.locator('#tl-status').textContent(), /jumped to the next recording at 10:01:00/);
    await page.locator('.tl-row[data-camera="yard"] .tl-track').focus();
    const from = await page.evaluate(() => (window as unknown as { s3hlsPlayer: { playheadMs: number } }).s3hlsPlayer.playheadMs);
    await page.keyboard.press('Shift+ArrowLeft');
    // Back one minute from span B's start lands in span A (which begins 60 s before B).
    // The playhead moves on between reading it here and the key press (the video plays): 1 s slack.
    const key = await landedNear(page, from - 60_000, 1000);
    t.ok(Math.abs(key.landedMs! - key.targetMs) < 2000, `Shift+ArrowLeft: ${new Date(from).toISOString()} → ${new Date(key.landedMs!).toISOString()}`);
    t.equal(await page.locator('.tl-row[data-camera="yard"] .tl-track').getAttribute('role'), 'slider');
    // A drag scrubs: the playhead follows the pointer and the seek happens where it is released.
    const from2 = await xOf(page, 'yard', T0 + 2_000);
    const to2 = await xOf(page, 'yard', B0 + 9_000);
    const y = from2.box.y + from2.box.height / 2;
    await page.mouse.move(from2.box.x + from2.x, y);
    await page.mouse.down();
    await page.mouse.move(from2.box.x + to2.x, y, { steps: 8 });
    await page.mouse.up();
    const msPerPx = 300_000 / from2.box.width;
    const drag = await landedNear(page, B0 + 9_000, msPerPx + 1);
    t.ok(Math.abs(drag.landedMs! - drag.targetMs) < 2000, `drag released at ${new Date(drag.targetMs).toISOString()}, landed ${drag.landedMs! - drag.targetMs} ms from it`);
  });

  t.test('Shift+drag selects a range; "Export this range" downloads a playable MP4', async (t) => {
    const track = page.locator('.tl-row[data-camera="yard"] .tl-track');
    const a = await xOf(page, 'yard', T0 + 4_500);
    const b = await xOf(page, 'yard', B0 + 7_500);
    const y = a.box.y + a.box.height / 2;
    await page.keyboard.down('Shift');
    await page.mouse.move(a.box.x + a.x, y);
    await page.mouse.down();
    await page.mouse.move(a.box.x + b.x, y, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    t.equal(await track.locator('.tl-sel').count(), 1, 'the range is drawn on the row');
    t.match(await page.inputValue('#start'), /^2026-11-20T10:00:0[45]$/, 'From is set in local time');
    const downloading = page.waitForEvent('download', { timeout: 30_000 });
    await page.locator('#export').click();
    const download = await downloading;
    const file = join(work, 'clip.mp4');
    await download.saveAs(file);
    t.match(download.suggestedFilename(), /^yard_.*\.mp4$/, `file name ${download.suggestedFilename()}`);
    t.ok(statSync(file).size > 10_000, `${statSync(file).size} bytes`);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=format_name,duration', '-of', 'json', file], { encoding: 'utf8' });
    t.equal(probe.status, 0, probe.stderr);
    const info = JSON.parse(probe.stdout) as { streams: { codec_type: string; codec_name: string }[]; format: { format_name: string; duration: string } };
    t.match(info.format.format_name, /mp4/, info.format.format_name);
    t.ok(
      info.streams.some((s) => s.codec_type === 'video' && s.codec_name === 'h264'),
      'an H.264 video stream',
    );
    const seconds = Number(info.format.duration);
    // 10:00:04 (segment 2) to the end of span A, then span B from its start to 10:01:08: 4 + 4 segments.
    t.ok(seconds >= 14 && seconds <= 18, `duration ${seconds} s (two 8-s pieces, the gap skipped)`);
    const decode = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    t.equal(decode.status, 0, 'ffmpeg decodes every frame');
    t.equal(decode.stderr, '', 'without a message');
    t.match(await page.locator('#export-status').textContent(), /^exported yard_/);
  });

  t.test('an export range without footage says so and how to fix it', async (t) => {
    await page.fill('#start', '2026-11-20T08:00:00');
    await page.fill('#end', '2026-11-20T08:05:00');
    await page.locator('#export').click();
    await page.waitForFunction(() => document.getElementById('export-status')!.classList.contains('error'), undefined, { timeout: 20_000 });
    t.match(await page.locator('#export-status').textContent(), /^nothing to export: .*; pick a range that overlaps footage/);
  });

  t.test('a day without footage says so on the row and under the timeline', async (t) => {
    await page.locator('#prev-day').click();
    await page.waitForFunction(() => /^no footage for yard on 2026-11-19/.test(document.getElementById('tl-status')!.textContent ?? ''), undefined, { timeout: 20_000 });
    t.equal(await page.locator('#tl-status').textContent(), 'no footage for yard on 2026-11-19 (EST): pick another day');
    t.equal(await page.locator('.tl-span').count(), 0, 'no spans drawn');
    t.same(
      await page.locator('.tl-note').evaluateAll((e) => e.map((x) => x.textContent).filter((x) => x.startsWith('no footage'))),
      ['no footage this day', 'no footage this day'],
      'each row says it',
    );
    await page.locator('#next-day').click();
    await page.waitForFunction(() => document.querySelectorAll('.tl-row[data-camera="yard"] .tl-span').length > 0, undefined, { timeout: 20_000 });
    t.equal(await page.inputValue('#day'), DAY, 'and back');
  });

  t.test('no request of the page failed (the refused export above aside)', async (t) => {
    t.same(failed, []);
    const chain = throughIndex(playlists);
    t.ok(chain.index >= 1 && chain.media >= 1, `${chain.index} multivariant and ${chain.media} media playlist requests`);
    t.same(chain.orphans, [], 'every media playlist was reached through index.m3u8, with start/end passed through');
    await page.close();
  });

  t.test('a bucket without CORS: a timeline click shows the cause and the fix', async (t) => {
    const closed = await startS3({ cors: false });
    t.teardown(() => closed.close());
    const c2 = closed.client();
    await seed(c2, closed.bucket, 'cams/yard', segs, 0, 6, T0);
    const srv = await startPageServer({
      client: c2,
      bucket: closed.bucket,
      rootPrefix: 'cams',
      urls: presignedUrlResolver({ client: c2, bucket: closed.bucket, expiresInSeconds: 600 }),
    });
    t.teardown(() => srv.close());
    const p = await context.newPage();
    await p.goto(`${srv.url}/#${new URLSearchParams({ camera: 'yard', day: DAY, zoom: '300' })}`);
    await p.waitForFunction(() => document.querySelectorAll('.tl-span').length === 1, undefined, { timeout: 20_000 });
    const { x, box } = await xOf(p, 'yard', T0 + 3_000);
    await p.locator('.tl-row[data-camera="yard"] .tl-track').click({ position: { x, y: box.height / 2 } });
    await p.waitForFunction(() => /cross-origin/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 20_000 });
    t.equal(await p.locator('#status').textContent(), 'the bucket refused cross-origin GETs from this page: run `s3hls bucket setup`');
    t.ok(await p.locator('#status').evaluate((e) => e.classList.contains('error')), 'shown as an error');
    await p.close();
  });

  t.test('expired presigned segment URLs: the page says so and how to get fresh ones', async (t) => {
    // The SigV4-checking fork refuses an expired URL with 403 (plain s3rver checks nothing). It
    // cannot answer the endpoint's listings (see TESTING.md), so the endpoint lists the plain
    // s3rver and presigns for the fork, which holds the same keys, with a clock two hours back.
    const strict = await startS3({ verifySignatures: true, cors: true });
    t.teardown(() => strict.close());
    await seed(strict.client(), strict.bucket, 'cams/yard', segs, 0, 6, T0);
    const stale = presignedUrlResolver({ client: strict.client(), bucket: strict.bucket, expiresInSeconds: 60, nowMs: () => Date.now() - 7_200_000 });
    const key = segmentKey('cams/yard', { startTimeMs: T0, sequence: segs[0].sequence, durationMs: 2000, discontinuity: true });
    const fresh = presignedUrlResolver({ client: strict.client(), bucket: strict.bucket, expiresInSeconds: 60 });
    t.equal((await fetch((await fresh.urls([key]))[0])).status, 200, 'a fresh URL of the fork loads the segment');
    const old = await fetch((await stale.urls([key]))[0]);
    t.equal(old.status, 403, 'the stale one is refused');
    t.match(await old.text(), /expired/i, 'because it expired');
    const srv = await startPageServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: stale });
    t.teardown(() => srv.close());
    const p = await context.newPage();
    await p.goto(`${srv.url}/#${new URLSearchParams({ camera: 'yard', day: DAY, zoom: '300' })}`);
    await p.waitForFunction(() => document.querySelectorAll('.tl-row[data-camera="yard"] .tl-span').length === 2, undefined, { timeout: 20_000 });
    const { x, box } = await xOf(p, 'yard', T0 + 3_000);
    await p.locator('.tl-row[data-camera="yard"] .tl-track').click({ position: { x, y: box.height / 2 } });
    await p.waitForFunction(() => /403/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 20_000 });
    t.equal(await p.locator('#status').textContent(), 'S3 refused a segment (403): the presigned URLs have probably expired; press Play again to get fresh ones');
    await p.close();
  });

  t.test('segments that never answer: a bounded wait, then the cause', async (t) => {
    // Segment URLs point at a port that accepts connections and never answers.
    const held: Socket[] = [];
    const hole = createServer((sock) => void held.push(sock));
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    t.teardown(() => {
      held.forEach((x) => x.destroy());
      hole.close();
    });
    const port = (hole.address() as { port: number }).port;
    const srv = await startPageServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver(`http://127.0.0.1:${port}`) });
    t.teardown(() => srv.close());
    const p = await context.newPage();
    // The page's 20-s bound, shortened for the test before the page's scripts run.
    await p.addInitScript(() => {
      (window as unknown as { S3hls: object }).S3hls = { START_TIMEOUT_MS: 3000 };
    });
    await p.goto(`${srv.url}/#${new URLSearchParams({ camera: 'yard', day: DAY, zoom: '300' })}`);
    await p.waitForFunction(() => document.querySelectorAll('.tl-row[data-camera="yard"] .tl-span').length === 2, undefined, { timeout: 20_000 });
    const { x, box } = await xOf(p, 'yard', T0 + 3_000);
    const clicked = Date.now();
    await p.locator('.tl-row[data-camera="yard"] .tl-track').click({ position: { x, y: box.height / 2 } });
    await p.waitForFunction(() => /^nothing played within/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 20_000 });
    t.match(await p.locator('#status').textContent(), /^nothing played within 3 s: .*check that the endpoint can reach the bucket$/, `said after ${Date.now() - clicked} ms`);
    t.ok(held.length > 0, `the player did try the segments (${held.length} connection(s) held)`);
    await p.close();
  });

  t.test('the live grid plays every camera at once', async (t) => {
    const cams = ['gate', 'garage', 'porch'];
    const now = Date.now();
    await Promise.all(cams.map((c) => seed(client, s3.bucket, `live/${c}`, segs, 0, 12, now - 26_000)));
    const live = await startPageServer({ client, bucket: s3.bucket, rootPrefix: 'live', urls, accessToken: TOKEN });
    t.teardown(() => live.close());
    const p = await context.newPage();
    const requested = recordPlaylistRequests(p);
    await p.goto(`${live.url}/#${new URLSearchParams({ token: TOKEN, grid: '1' })}`);
    const times = (): Promise<number[]> => p.evaluate(() => Array.from(document.querySelectorAll<HTMLVideoElement>('#grid video')).map((v) => v.currentTime));
    await p.waitForFunction(
      () => {
        const v = Array.from(document.querySelectorAll<HTMLVideoElement>('#grid video'));
        return v.length === 3 && v.every((x) => x.currentTime > 0 && !x.paused);
      },
      undefined,
      { timeout: 30_000 },
    );
    const before = await times();
    await p.waitForTimeout(2_000);
    const after = await times();
    t.equal(after.length, 3, 'three tiles');
    t.ok(
      after.every((x, i) => x - before[i] > 1),
      `every tile advanced: ${before.map((b, i) => `${b.toFixed(1)}→${after[i].toFixed(1)}`).join(', ')}`,
    );
    t.same(await p.locator('#grid figcaption').allTextContents(), ['garage Open', 'gate Open', 'porch Open'], 'one labelled tile per camera');
    // The seeded live windows do not grow (nothing uploads after the seed), so a slow run can play
    // to their end and hls.js reports a buffer stall; any other error (a load) is a failure.
    const errors = await p.evaluate(() =>
      (window as unknown as { s3hlsGrid: { fatal: string | null; errors: { details: string }[] }[] }).s3hlsGrid.map((g) => [
        g.fatal,
        g.errors.map((e) => e.details).filter((d) => !/^buffer(Stalled|NudgeOnStall|SeekOverHole)/.test(d)),
      ]),
    );
    t.same(
      errors,
      [
        [null, []],
        [null, []],
        [null, []],
      ],
      'no fatal hls.js error and no load error in any tile',
    );
    // "Open" plays that camera live in the main player; the playhead shows about now.
    await p.locator('#grid figure').filter({ hasText: 'gate' }).getByRole('button', { name: 'Open gate in the player' }).click();
    await p.waitForFunction(() => (window as unknown as { s3hlsPlayer: { playheadMs: number | null } }).s3hlsPlayer.playheadMs !== null, undefined, { timeout: 20_000 });
    const main = await p.evaluate(() => {
      const s = (window as unknown as { s3hlsPlayer: { playheadMs: number; mode: string; url: string } }).s3hlsPlayer;
      return { ms: s.playheadMs, mode: s.mode, url: s.url, head: !document.querySelector('.tl-row[data-camera="gate"] .tl-head')!.hasAttribute('hidden') };
    });
    t.equal(main.mode, 'live');
    t.equal(main.url, 'cameras/gate/index.m3u8?live=1', 'live through the multivariant playlist');
    const tiles = requested.filter((r) => r.file === 'index.m3u8' && r.query.get('live') === '1').map((r) => r.dir);
    t.same([...new Set(tiles)].sort(), ['/cameras/garage/', '/cameras/gate/', '/cameras/porch/'], 'each tile (and "Open") loaded index.m3u8?live=1');
    t.same(throughIndex(requested).orphans, [], 'every live.m3u8 load was reached through index.m3u8');
    t.ok(main.ms > now - 26_000 && main.ms < now, `live playhead ${new Date(main.ms).toISOString()} is inside the seeded footage (it ends ${new Date(now).toISOString()})`);
    t.ok(main.head, "the playhead is drawn on the gate row of today's timeline");
    await p.close();
  });
});
