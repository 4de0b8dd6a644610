/**
 * The player page as served, without a browser: every file of assets/player/ is inlined, each
 * inline script compiles, no script or style can end its element early, and every element the
 * scripts look up by id exists in the HTML (a renamed id would otherwise fail only at run time).
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { playerPageHtml } from '../../src/server/player-page.js';

const html = playerPageHtml();
const dir = new URL('../../assets/player/', import.meta.url);
const scripts = [...html.matchAll(/<script>\n([\s\S]*?)<\/script>/g)].map((m) => m[1]);

t.test('every asset is in the page', async (t) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  t.equal(scripts.length, files.length, `${files.length} inline scripts`);
  for (const f of files)
    t.ok(
      scripts.some((s) => s.includes(readFileSync(new URL(f, dir), 'utf8').split('\n')[1])),
      `${f} is inlined`,
    );
  t.match(html, /\.tl-span \{/, 'the style is inlined');
  t.match(html, /<script src="hls\.min\.js"><\/script>/, 'hls.js is loaded from the endpoint');
  t.equal(playerPageHtml(), html, 'built once, the same every time');
});

t.test('inline scripts compile and cannot close their element early', async (t) => {
  for (const [i, s] of scripts.entries()) {
    t.doesNotThrow(() => new Script(s, { filename: `inline-${i}.js` }), `script ${i} compiles`);
    t.notMatch(s, /<\/script/i, `script ${i} has no </script`);
  }
});

t.test('every id the scripts look up is in the HTML', async (t) => {
  const ids = new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
  const wanted = new Set(scripts.flatMap((s) => [...s.matchAll(/\$\('([^']+)'\)/g)].map((m) => m[1])));
  t.ok(wanted.size > 15, `${wanted.size} ids looked up`);
  for (const id of wanted) t.ok(ids.has(id), `#${id} exists`);
});

t.test('form controls are labelled', async (t) => {
  const controls = [...html.matchAll(/<(input|select)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[2]);
  const labels = [...html.matchAll(/<label>([\s\S]*?)<\/label>/g)].map((m) => m[1]);
  t.ok(controls.length >= 6, `${controls.length} controls`);
  for (const id of controls)
    t.ok(
      labels.some((l) => l.includes(`id="${id}"`)),
      `#${id} is inside a <label>`,
    );
});
