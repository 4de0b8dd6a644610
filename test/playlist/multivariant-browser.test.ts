/**
 * hls.js in Debian chromium loads `index.m3u8` (the multivariant playlist): it keeps a level only
 * when `MediaSource.isTypeSupported` accepts its CODECS, so playing past 3 s proves the CODECS
 * string, RESOLUTION and the hand-over to the media playlist work in a real player.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runUpload } from '../../src/cli/commands/upload.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { startPlaylistServer } from '../../src/server/playlist-server.js';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !hasFfmpeg() ? 'ffmpeg not on PATH' : existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium)`;

interface Seen {
  levels: { codecs: string; width: number; height: number; bitrate: number; frameRate: number }[];
  errors: string[];
  fatal: string | null;
  currentTime: number;
}

t.test('hls.js plays index.m3u8 through to the media playlist', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-mv-browser-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mp4 = join(dir, 'cam.mp4');
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '8',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-g',
    '50',
    '-keyint_min',
    '50',
    '-sc_threshold',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    mp4,
  ]);
  const s3 = await startS3({ cors: true });
  t.teardown(() => s3.close());
  const quiet = { write: () => true };
  const code = await runUpload(
    [
      '--input',
      mp4,
      '--encoder',
      'copy',
      '--bucket',
      s3.bucket,
      '--prefix',
      'cams/door',
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--progress',
      'none',
      '--start-time',
      '2026-11-22T03:00:00Z',
    ],
    { stdout: quiet, stderr: quiet, credentials: { ...S3RVER_CREDENTIALS } },
  );
  t.equal(code, 0);
  const client = s3.client();
  t.teardown(() => client.destroy());
  const server = await startPlaylistServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver(`${s3.endpoint}/${s3.bucket}`), onWarning: () => undefined });
  t.teardown(() => server.close());

  const profile = mkdtempSync(join(tmpdir(), 's3hls-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  t.teardown(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/cameras`);
  await page.addScriptTag({ url: '/hls.min.js' });
  await page.evaluate((src) => {
    type HlsLevel = { codecSet?: string; videoCodec?: string; audioCodec?: string; width: number; height: number; bitrate: number; frameRate: number };
    type HlsLike = {
      on(e: string, f: (ev: string, d: { levels?: HlsLevel[]; details: string; fatal: boolean }) => void): void;
      loadSource(u: string): void;
      attachMedia(v: HTMLVideoElement): void;
    };
    const Hls = (window as unknown as { Hls: { new (): HlsLike; Events: Record<string, string> } }).Hls;
    const seen = { levels: [] as Seen['levels'], errors: [] as string[], fatal: null as string | null };
    (window as unknown as { seen: typeof seen }).seen = seen;
    const video = document.createElement('video');
    video.muted = true;
    document.body.appendChild(video);
    const hls = new Hls();
    hls.on(Hls.Events['MANIFEST_PARSED'], (_e, d) => {
      seen.levels = (d.levels ?? []).map((l) => ({
        codecs: [l.videoCodec, l.audioCodec].filter(Boolean).join(','),
        width: l.width,
        height: l.height,
        bitrate: l.bitrate,
        frameRate: l.frameRate,
      }));
      void video.play();
    });
    hls.on(Hls.Events['ERROR'], (_e, d) => {
      seen.errors.push(d.details);
      if (d.fatal) seen.fatal = d.details;
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  }, '/cameras/door/index.m3u8?start=2026-11-22T03:00:00Z&end=2026-11-22T03:01:00Z');
  let seen: Seen;
  const deadline = Date.now() + 60_000;
  for (;;) {
    seen = await page.evaluate(() => ({ ...(window as unknown as { seen: Omit<Seen, 'currentTime'> }).seen, currentTime: document.querySelector('video')!.currentTime }));
    if (seen.currentTime > 3 || seen.fatal !== null || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.comment(`hls.js level: ${JSON.stringify(seen.levels)}; errors: ${JSON.stringify(seen.errors)}`);
  t.equal(seen.fatal, null, 'no fatal error (an unsupported CODECS would be manifestIncompatibleCodecsError)');
  t.equal(seen.levels.length, 1, 'one level kept by hls.js');
  t.match(seen.levels[0], { codecs: /^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/, width: 640, height: 360, frameRate: 25 });
  t.ok(seen.levels[0].bitrate > 0, `BANDWIDTH read: ${seen.levels[0].bitrate} bit/s`);
  t.ok(seen.currentTime > 3, `played to ${seen.currentTime.toFixed(2)} s`);
});
