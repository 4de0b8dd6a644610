/**
 * `s3hls demo` as a newcomer sees it: the printed URL opened in Debian chromium (hls.js, the
 * built-in player page) plays the live camera — the bundled clip, the no-ffmpeg path.
 */
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runDemo } from '../../src/cli/commands/demo.js';

const CHROMIUM = '/usr/bin/chromium';

t.test('the demo URL plays live in chromium', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium)` }, async (t) => {
  const stop = new AbortController();
  let playerUrl = '';
  const sink = { write: () => true };
  const done = runDemo(['--port', '0', '--source', 'clip'], { stdout: sink, stderr: sink, signal: stop.signal, onReady: (i) => (playerUrl = i.playerUrl) });
  const profile = mkdtempSync(join(tmpdir(), 's3hls-chromium-demo-'));
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
  while (!playerUrl) await new Promise((r) => setTimeout(r, 50));
  // A live playlist needs a few segments before hls.js starts (3 target durations from the end).
  await new Promise((r) => setTimeout(r, 6_500));
  const page = await context.newPage();
  await page.goto(playerUrl);
  const deadline = Date.now() + 30_000;
  let first = -1;
  let now = 0;
  while (Date.now() < deadline) {
    now = await page.evaluate(() => document.querySelector('video')!.currentTime);
    if (first < 0 && now > 0) first = now;
    if (first >= 0 && now > first + 3) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.ok(first >= 0 && now > first + 3, `live playback advanced from ${first.toFixed(2)} to ${now.toFixed(2)} s`);
  stop.abort();
  t.equal(await done, 0);
});
