/**
 * What index.m3u8's CODECS does for the player page in Debian chromium: the same H.264 with AAC-LC
 * (mp4a.40.2) plays; with AAC Main (mp4a.40.1, which this browser's MSE refuses) hls.js stops at the
 * multivariant playlist, before any media playlist or segment is loaded, and the page says which
 * codecs and what to do. Loading the media playlist directly (what the page did before it went
 * through index.m3u8) fails too, only later: after a segment was downloaded, at the SourceBuffer. Segments come from HlsStream (libx264 baseline + ffmpeg's AAC encoder in
 * the two profiles) and carry the codec facts as object metadata, as the uploader writes them.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { segmentKey } from '../../src/keys/object-keys.js';
import { presignedUrlResolver } from '../../src/playlist/segment-urls.js';
import { codecFactsMetadata } from '../../src/stream/codec-facts.js';
import { accessUnits } from '../helpers/annexb-units.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { muxUnits, type TestAudio } from '../helpers/mux-units.js';
import { startS3 } from '../helpers/s3server.js';
import { CHROMIUM, launch } from './browser-fixtures.js';
import { startPageServer } from './page-server.js';
import { recordPlaylistRequests, recordSegmentStarts } from './playlist-requests.js';

const TOKEN = 'player-codecs-token-0123456789';
const skip = !hasFfmpeg() ? 'ffmpeg is not installed' : existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium)`;

interface Outcome {
  currentTime: number;
  fatal: string | null;
  status: string;
  errors: string[];
}

/** ADTS frames of 4 s of a 440 Hz sine from ffmpeg's AAC encoder in `profile`, one pack per frame. */
function adts(dir: string, profile: string, base: number): TestAudio[] {
  const path = join(dir, `${profile}.aac`);
  execFileSync(
    'ffmpeg',
    ['-y', '-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4'].concat([
      '-c:a',
      'aac',
      '-profile:a',
      profile,
      '-f',
      'adts',
      path,
    ]),
  );
  const bytes = readFileSync(path);
  const out: TestAudio[] = [];
  for (let o = 0, i = 0; o + 7 <= bytes.length; i++) {
    const len = (bytes[o + 3] & 0x03) * 2048 + bytes[o + 4] * 8 + (bytes[o + 5] >> 5);
    out.push({ bytes: bytes.subarray(o, o + len), pts: base + i * 1920 });
    o += len;
  }
  return out;
}

/** Polls the page until the video played past `seconds` or hls.js gave up (bounded). */
async function outcome(page: Page, seconds: number, timeoutMs: number): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await page.evaluate(() => {
      const p = (window as unknown as { s3hlsPlayer: { fatal: string | null; errors: { details: string }[] } }).s3hlsPlayer;
      return {
        currentTime: document.querySelector('video')!.currentTime,
        fatal: p.fatal,
        status: document.getElementById('status')!.textContent ?? '',
        errors: p.errors.map((e) => e.details),
      };
    });
    if (r.currentTime > seconds || r.fatal !== null || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

t.test('index.m3u8 CODECS in chromium: AAC-LC plays, AAC Main is refused before any segment', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-codecs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const units = accessUnits(fixture('baseline.h264')).map((nals, i) => ({ nals, pts: 900_000 + i * 3600, dts: 900_000 + i * 3600 }));
  const s3 = await startS3({ cors: true });
  t.teardown(() => s3.close());
  const client = s3.client();
  const startMs = Date.now() - 120_000;
  const cameras = { 'lc-cam': 'aac_low', 'main-cam': 'aac_main' } as const;
  for (const [camera, profile] of Object.entries(cameras)) {
    const { segments } = muxUnits(units, { audio: adts(dir, profile, 900_000) });
    let at = startMs;
    for (const [i, s] of segments.entries()) {
      const durationMs = Math.round(s.meta.durationTicks / 90);
      const Key = segmentKey(`cams/${camera}`, { startTimeMs: at, sequence: i, durationMs, discontinuity: i === 0 });
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: s.bytes, ContentType: 'video/mp2t', Metadata: codecFactsMetadata(s.meta) }));
      at += durationMs;
    }
  }
  const urls = presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 600 });
  const server = await startPageServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls, accessToken: TOKEN });
  t.teardown(() => server.close());
  const context = await launch();
  t.teardown(() => context.close());
  const open = async (camera: string): Promise<{ page: Page; playlists: ReturnType<typeof recordPlaylistRequests>; segments: number[] }> => {
    const page = await context.newPage();
    const playlists = recordPlaylistRequests(page);
    const segments = recordSegmentStarts(page);
    const q = new URLSearchParams({ token: TOKEN, camera, mode: 'vod', start: new Date(startMs).toISOString(), end: new Date(startMs + 4000).toISOString() });
    await page.goto(`${server.url}/#${q}`);
    return { page, playlists, segments };
  };

  const lc = await open('lc-cam');
  const played = await outcome(lc.page, 1.5, 25_000);
  t.ok(played.currentTime > 1.5, `AAC-LC (mp4a.40.2) plays: currentTime ${played.currentTime.toFixed(2)} s, errors [${played.errors.join(', ')}]`);
  t.equal(played.fatal, null);
  t.same(
    lc.playlists.map((r) => r.file),
    ['index.m3u8', 'playlist.m3u8'],
    'through index.m3u8',
  );
  await lc.page.close();

  const main = await open('main-cam');
  const refused = await outcome(main.page, 1.5, 25_000);
  t.equal(refused.fatal, 'manifestIncompatibleCodecsError', 'hls.js finds no variant this browser can decode');
  t.match(refused.status, /^this browser cannot decode the camera's codecs \(avc1\.42c01e,mp4a\.40\.1\): .*upload with --no-audio$/, `the page says: ${refused.status}`);
  t.same(
    main.playlists.map((r) => r.file),
    ['index.m3u8'],
    'no media playlist loaded',
  );
  t.same(main.segments, [], 'and no segment');
  await main.page.close();

  // What the page did before it went through index.m3u8: the media playlist has no CODECS, so the
  // refusal comes only after a segment was downloaded, when the SourceBuffer is added.
  const direct = await open('lc-cam');
  await direct.page.waitForFunction(() => document.querySelectorAll('#camera option').length > 0, undefined, { timeout: 20_000 });
  const q = `start=${encodeURIComponent(new Date(startMs).toISOString())}&end=${encodeURIComponent(new Date(startMs + 4000).toISOString())}`;
  const before = direct.segments.length;
  await direct.page.evaluate(
    (u) => (window as unknown as { s3hlsPlayer: { play(url: string, mode: string): void } }).s3hlsPlayer.play(u, 'vod'),
    `cameras/main-cam/playlist.m3u8?${q}`,
  );
  const late = await outcome(direct.page, 1.5, 25_000);
  t.match(late.fatal, /^buffer(AddCodec|Append)Error$/, `without CODECS hls.js fails later: ${late.errors.join(', ')}`);
  t.ok(direct.segments.length > before, 'after downloading a segment');
  t.match(late.status, /^this browser cannot decode the camera's codecs \(.*mp4a\.40\.1.*\)|^error: bufferAppendError$/, `the page says: ${late.status}`);
  await direct.page.close();
});
