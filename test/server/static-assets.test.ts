/**
 * Issue 13 §2: the player page and hls.min.js are compressed once at start and answered from
 * memory with an ETag, long-lived caching and 304s. Regression for the table row "repeated
 * unauthenticated GET /hls.min.js: re-gzipped per request (~40 ms CPU each), /cameras slows to
 * 1.5-2.6 s": with 200 asset requests kept in flight, each asset answer must cost far less CPU than
 * one gzip, and no turn of the event loop may hold it long (answers are written a time budget per
 * turn); `/cameras` (listing a real s3rver on loopback) p99 under the bursts must stay under 50 ms
 * when the machine is quiet (load average below the core count), and is printed otherwise.
 */
import t from 'tap';
import { Agent, request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { startPlaylistServer } from '../../src/server/playlist-server.js';
import { watchLoopSlices } from '../helpers/loop-slices.js';
import { startS3 } from '../helpers/s3server.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1000 });

function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The load, in its own process (its parsing must not be billed to the server): `bursts` rounds of
 * N concurrent GETs of /hls.min.js, each asking for gzip (the path that used to compress per
 * request) without If-None-Match (as an abuser would). Prints "burst <i>" after each round and
 * "done <answers>" at the end.
 */
const LOAD_SCRIPT = `
const http = require('node:http');
const [base, n, bursts] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const agent = new http.Agent({ keepAlive: true, maxSockets: n });
let count = 0;
function one() {
  return new Promise((resolve, reject) => {
    http.get(base + '/hls.min.js', { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      if (res.statusCode !== 200) reject(new Error('status ' + res.statusCode));
      res.on('data', () => {});
      res.on('end', () => { count++; resolve(); });
    }).on('error', reject);
  });
}
(async () => {
  for (let b = 0; b < bursts; b++) {
    await Promise.all(Array.from({ length: n }, one));
    process.stdout.write('burst ' + (b + 1) + '\\n');
  }
  process.stdout.write('done ' + count + '\\n');
  agent.destroy();
})();
`;

const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));

t.test('static files', async (t) => {
  t.teardown(() => agent.destroy());
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  for (const cam of ['door', 'yard', 'gate']) {
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: segmentKey(`cams/${cam}`, { startTimeMs: Date.UTC(2026, 10, 22), sequence: 0, durationMs: 2000, discontinuity: true }),
        Body: new Uint8Array(188),
      }),
    );
  }
  const server = await startPlaylistServer({
    client,
    bucket: s3.bucket,
    rootPrefix: 'cams',
    urls: baseUrlResolver('https://cdn.example'),
    accessToken: 'correct-horse-battery-staple',
  });
  t.teardown(() => server.close());

  t.test('ETag, long-lived Cache-Control, gzip from memory, 304 on If-None-Match', async (t) => {
    const z = await get(server.url, '/hls.min.js', { 'accept-encoding': 'gzip' });
    t.equal(z.status, 200);
    t.equal(z.headers['content-encoding'], 'gzip');
    t.equal(z.headers['cache-control'], 'public, max-age=604800', 'a week; the ETag makes the check after that a 304');
    t.equal(z.headers['vary'], 'accept-encoding');
    t.ok(gunzipSync(z.body).equals(hlsJs), 'the bytes of hls.min.js');
    const etag = z.headers['etag'] as string;
    t.match(etag, /^"[A-Za-z0-9_-]+-gz"$/);
    const plain = await get(server.url, '/hls.min.js');
    t.ok(plain.body.equals(hlsJs));
    t.equal(plain.headers['content-encoding'], undefined);
    const plainTag = plain.headers['etag'] as string;
    t.not(plainTag, etag, 'each encoding its own tag');
    const again = await get(server.url, '/hls.min.js', { 'accept-encoding': 'gzip' });
    t.equal(again.headers['etag'], etag, 'stable');
    const n = await get(server.url, '/hls.min.js', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    t.equal(n.status, 304);
    t.equal(n.body.length, 0);
    t.equal(n.headers['etag'], etag);
    t.equal(n.headers['cache-control'], 'public, max-age=604800');
    t.equal((await get(server.url, '/hls.min.js', { 'if-none-match': `W/${plainTag}` })).status, 304, 'weak comparison');
    t.equal((await get(server.url, '/hls.min.js', { 'if-none-match': '"other", ' + plainTag })).status, 304, 'a list');
    t.equal((await get(server.url, '/hls.min.js', { 'if-none-match': '"stale"' })).status, 200);
    const page = await get(server.url, '/', { 'accept-encoding': 'gzip' });
    t.equal(page.status, 200);
    t.equal(page.headers['cache-control'], 'no-cache', 'the page is revalidated every load, so an upgrade shows at once');
    t.match(gunzipSync(page.body).toString(), /<title>s3hls player<\/title>/);
    t.equal((await get(server.url, '/', { 'accept-encoding': 'gzip', 'if-none-match': page.headers['etag'] as string })).status, 304);
    const head = await get(server.url, '/hls.min.js', {}, 'HEAD');
    t.equal(head.status, 200);
    t.equal(head.body.length, 0);
    t.equal(head.headers['content-length'], String(hlsJs.length));
    t.equal((await get(server.url, '/hls.min.js', {}, 'POST')).status, 405, 'other methods go to the routes');
  });

  t.test('regression: bursts of 200 concurrent asset requests cost no gzip per request and do not hold the loop; /cameras p99', async (t) => {
    const auth = { authorization: 'Bearer correct-horse-battery-staple' };
    const p99 = (l: number[]): number => [...l].sort((a, b) => a - b)[Math.ceil(l.length * 0.99) - 1];
    async function camerasWhile(more: () => boolean, atLeast: number): Promise<number[]> {
      const l: number[] = [];
      while (more() || l.length < atLeast) {
        const t0 = performance.now();
        const r = await get(server.url, '/cameras', auth);
        l.push(performance.now() - t0);
        if (r.status !== 200) t.fail(`/cameras answered ${r.status}`);
      }
      return l;
    }
    /**
     * Runs `n` bursts in the load process; `during` runs meanwhile and is told when they are over;
     * `onBurst` hears the end of each burst.
     */
    async function bursts(n: number, during: (running: () => boolean) => Promise<void>, onBurst?: (done: number) => void): Promise<number> {
      const load = spawn(process.execPath, ['-e', LOAD_SCRIPT, server.url, '200', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
      t.teardown(() => void load.kill('SIGKILL'));
      let report = '';
      load.stdout.setEncoding('utf8');
      load.stdout.on('data', (s: string) => {
        report += s;
        for (const m of s.matchAll(/burst (\d+)/g)) onBurst?.(Number(m[1]));
      });
      let alive = true;
      const exited = new Promise((r) => load.once('exit', r)).then(() => void (alive = false));
      await Promise.all([exited, during(() => alive)]);
      return Number(/done (\d+)/.exec(report)?.[1] ?? 0);
    }
    // What one request cost before: gzip of hls.min.js, measured here and now (the machine is shared).
    const gzipCpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = process.cpuUsage();
      gzipSync(hlsJs);
      const d = process.cpuUsage(c);
      gzipCpu.push((d.user + d.system) / 1000);
    }
    const gzipMs = gzipCpu.sort((a, b) => a - b)[2];
    // The server's CPU per asset answer under 3 bursts of 200 (nothing else runs in this process),
    // and the longest the loop was held in bursts 2 and 3, in main-thread CPU time (holds under
    // load). Burst 1 opens the 200 keep-alive connections, whose accepting is not an answer's cost.
    const cpu0 = process.cpuUsage();
    let watch: ReturnType<typeof watchLoopSlices> | undefined;
    const answered = await bursts(
      3,
      async () => {},
      (done) => void (done === 1 && (watch = watchLoopSlices())),
    );
    const cpu = process.cpuUsage(cpu0);
    const slices = watch!.stop();
    t.equal(answered, 600, '3 bursts of 200, every one answered 200');
    const cpuPerAnswerMs = (cpu.user + cpu.system) / 1000 / answered;
    t.ok(
      cpuPerAnswerMs < gzipMs / 4,
      `an asset answer costs ${cpuPerAnswerMs.toFixed(2)} ms of server CPU, under a quarter of one gzip of hls.min.js (${gzipMs.toFixed(1)} ms, what each request cost before)`,
    );
    // Fairness: 200 answers read in one poll used to be written in that one turn (200 × ~0.5 ms of
    // CPU, 80-180 ms). They are now written a 2 ms budget per turn (turn-budget-queue.ts); what
    // is left in a turn is reading and parsing the requests of one poll: on a quiet machine all 200
    // arrive before the poll (measured 32.5 ms at load 5), on a loaded one fewer (11 ms at load 31).
    // The bound is the 50 ms.
    t.ok(
      slices.maxSliceCpuMs < 50,
      `the loop was held at most ${slices.maxSliceCpuMs.toFixed(1)} ms of main-thread CPU at a time while 400 asset answers went out (${slices.turns} turns; wall ${slices.maxSliceWallMs.toFixed(1)} ms; GC max ${slices.gcMaxMs.toFixed(1)} ms)`,
    );
    // /cameras alone, then while 5 bursts of 200 run, side by side in one run.
    const quiet = await camerasWhile(() => false, 50);
    const loaded: number[] = [];
    t.equal(await bursts(5, async (running) => void loaded.push(...(await camerasWhile(running, 20)))), 1000, '5 more bursts');
    const [base, under] = [p99(quiet), p99(loaded)];
    const cores = availableParallelism();
    t.comment(
      `/cameras p99 alone ${base.toFixed(1)} ms, under bursts ${under.toFixed(1)} ms (${loaded.length} samples); server CPU ${cpuPerAnswerMs.toFixed(2)} ms per asset answer vs ${gzipMs.toFixed(1)} ms per gzip; load average ${loadavg()[0].toFixed(1)} on ${cores} cores`,
    );
    // The bound on the wall clock: only a quiet machine can show it (load average above the
    // core count measures the other processes: at load 20 /cameras alone has a p99 of ~500 ms).
    const load = loadavg()[0];
    if (load < cores) t.ok(under < 50, `/cameras p99 under bursts ${under.toFixed(1)} ms < 50 ms (load ${load.toFixed(1)} on ${cores} cores)`);
    else t.comment(`p99 under bursts ${under.toFixed(1)} ms: not judged against the 50 ms goal at load ${load.toFixed(1)} on ${cores} cores`);
  });
});
