/**
 * `s3hls demo` without ffmpeg's help: the bundled clip looped as a live camera into the embedded
 * S3, served by the playlist endpoint; the live playlist fills and its segments pass the gate.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { runDemo, demoClipPath } from '../../src/cli/commands/demo.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { hasFfmpeg } from '../helpers/fixtures.js';

function capture() {
  let text = '';
  return {
    write: (s: string) => ((text += s), true),
    get text() {
      return text;
    },
  };
}

t.test('the bundled clip is committed', async (t) => {
  t.ok(existsSync(demoClipPath()), demoClipPath());
});

t.test('demo --source clip: live playlist with segments that pass the gate; Ctrl-C ends it with status 0', async (t) => {
  const stop = new AbortController();
  const out = capture();
  const err = capture();
  let info: { playerUrl: string } | undefined;
  const done = runDemo(['--port', '0', '--source', 'clip'], { stdout: out, stderr: err, signal: stop.signal, onReady: (i) => (info = i) });
  const deadline = Date.now() + 30_000;
  while (!info && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.ok(info, 'ready');
  const base = info!.playerUrl.replace(/\/#.*$/, '');
  t.match(out.text, /open http:\/\/127\.0\.0\.1:\d+\/#camera=demo&mode=live/);
  const page = await fetch(`${base}/`);
  t.equal(page.status, 200, 'player page');
  let m3u8 = '';
  while (Date.now() < deadline) {
    const r = await fetch(`${base}/cameras/demo/live.m3u8`);
    m3u8 = r.ok ? await r.text() : '';
    if ((m3u8.match(/#EXTINF/g) ?? []).length >= 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.ok((m3u8.match(/#EXTINF/g) ?? []).length >= 2, `two segments listed:\n${m3u8}`);
  t.notMatch(m3u8, /#EXT-X-ENDLIST/, 'live');
  const uris = m3u8.split('\n').filter((l) => l.startsWith('http'));
  const bytes = await Promise.all(uris.map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())));
  if (hasFfmpeg()) {
    const gate = ffmpegGate(bytes);
    t.ok(gate.ok, gate.stderr);
  }
  const dataDir = /data in (\S+)\)/.exec(out.text)?.[1];
  t.ok(dataDir && existsSync(dataDir), `data folder named and present while running: ${dataDir}`);
  stop.abort();
  t.equal(await done, 0, err.text);
  t.notOk(existsSync(dataDir!), 'the default data folder is removed on exit');
});
