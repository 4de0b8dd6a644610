/**
 * The examples run as a newcomer runs them (`npm run example -- <name>`, i.e. the built example
 * through examples/run.ts against a local S3 on loopback) for a few seconds each. A run passes only
 * when it exits 0, stored something, and the bucket holds exactly what the example reports stored;
 * a run that lost footage must exit non-zero.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { makePki, startIotEndpoint } from '../helpers/iot-endpoint.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `node build/examples/<script>` with `env` and `stdin`, bounded in time. */
function runNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv, stdin?: Buffer): Promise<Run> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', `build/examples/${script}.js`, ...args], { env: { ...cleanEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, output }))));
}

/** The test process's environment without anything that would point an example at a real AWS account. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  return env;
}

/** The example's own summary line: `example: N segments stored, D frames dropped, complete|incomplete`. */
function reported(output: string): { stored: number; dropped: number; complete: boolean } | undefined {
  const m = /example: (\d+) segments stored, (\d+) frames dropped, (complete|incomplete)/.exec(output);
  return m ? { stored: Number(m[1]), dropped: Number(m[2]), complete: m[3] === 'complete' } : undefined;
}

const home = mkdtempSync(join(tmpdir(), 's3hls-examples-home-'));
t.teardown(() => rmSync(home, { recursive: true, force: true }));

/** True when build/examples is newer than every example source and than dist/ (which it imports as 's3hls'). */
function examplesBuilt(): boolean {
  const mtime = (p: string) => (existsSync(p) ? statSync(p).mtimeMs : Number.NaN);
  const built = mtime('build/examples/run.js');
  const sources = [
    ...readdirSync('examples')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('examples', f)),
    'dist/index.js',
  ];
  return sources.every((s) => mtime(s) <= built);
}

t.before(() => {
  // npm test builds dist/ and the examples before the suite (scripts/test.sh); a lone `npx tap` of
  // this file builds them here. The examples import 's3hls' (the package's self-reference) from dist/.
  if (examplesBuilt()) return;
  const build = spawnSync('npm', ['run', 'build:examples', '--silent'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the examples failed:\n${build.stdout}${build.stderr}`);
});

for (const [name, needsFfmpeg] of [
  ['firmware-loop', false],
  ['shared-ring', false],
  ['multi-camera', true],
] as const) {
  t.test(`npm run example -- ${name}: exits 0 and the bucket holds what it reports stored`, { skip: needsFfmpeg && !hasFfmpeg() && 'no ffmpeg' }, async (t) => {
    const run = await runNode('run', [name], { S3HLS_SECONDS: name === 'multi-camera' ? '8' : '4' });
    t.equal(run.code, 0, run.output);
    const own = reported(run.output);
    t.ok(own, 'the example printed its summary');
    t.ok(own!.complete, 'complete');
    t.equal(own!.dropped, 0, 'no frame dropped');
    t.ok(own!.stored > 0, `stored ${own!.stored}`);
    const inBucket = Number(/the bucket holds (\d+) segments/.exec(run.output)?.[1]);
    t.equal(inBucket, own!.stored, 'the bucket holds exactly the segments the example reports');
  });
}

t.test('multi-camera without credentials loses its segments and says so with exit status 1', { skip: !hasFfmpeg() && 'no ffmpeg' }, async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const run = await runNode('multi-camera', [], { S3HLS_ENDPOINT: s3.endpoint, S3HLS_BUCKET: s3.bucket, AWS_REGION: 'us-east-1', S3HLS_SECONDS: '4', S3HLS_DRAIN_SECONDS: '3' });
  t.equal(run.code, 1, run.output);
  t.match(run.output, /credentials refused or missing/);
  t.match(run.output, /incomplete \(\d+ segments not stored\)/);
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  t.equal(listed.KeyCount ?? 0, 0, 'nothing stored');
});

t.test('iot-credentials: device certificate → temporary credentials → segments stored', async (t) => {
  const pki = makePki();
  const dir = mkdtempSync(join(tmpdir(), 's3hls-example-iot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, pem] of [
    ['device.crt', pki.deviceCert],
    ['device.key', pki.deviceKey],
    ['ca.crt', pki.ca],
  ] as const)
    writeFileSync(join(dir, file), pem);
  const iot = await startIotEndpoint({ pki, roleAlias: 'camera-role', issue: () => ({ ...S3RVER_CREDENTIALS, sessionToken: 'session', lifetimeMs: 3_600_000 }) });
  t.teardown(() => iot.close());
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const clip = readFileSync('assets/demo/clip.h264');
  const run = await runNode(
    'iot-credentials',
    [],
    {
      S3HLS_ENDPOINT: s3.endpoint,
      S3HLS_BUCKET: s3.bucket,
      AWS_REGION: 'us-east-1',
      IOT_ENDPOINT: iot.endpoint,
      IOT_ROLE_ALIAS: 'camera-role',
      IOT_THING: 'front-door',
      IOT_CERT: join(dir, 'device.crt'),
      IOT_KEY: join(dir, 'device.key'),
      IOT_CA: join(dir, 'ca.crt'),
    },
    clip,
  );
  t.equal(run.code, 0, run.output);
  const own = reported(run.output);
  t.ok(own?.complete && own.stored > 0, run.output);
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'cameras/front-door/' }));
  t.equal(listed.KeyCount, own!.stored, 'the bucket holds exactly the segments the example reports');
  t.ok(iot.requests.length >= 1, 'credentials came from the IoT endpoint');
});

t.test('nvenc-ffmpeg runs only with a GPU', async (t) => {
  const gpu = spawnSync('nvidia-smi', ['-L'], { stdio: 'ignore' }).status === 0;
  if (!gpu) {
    // No GPU on this machine: the example must say so and stop, not hang on ffmpeg.
    const run = await runNode('nvenc-ffmpeg', [], {});
    t.equal(run.code, 3, run.output);
    t.match(run.output, /no NVIDIA GPU here/);
    t.comment('skipped the NVENC run itself: nvidia-smi is not available on this machine');
    return;
  }
  const run = await runNode('run', ['nvenc-ffmpeg'], { CAMERA_FORMAT: 'lavfi', CAMERA: 'testsrc2=size=1280x720:rate=25', S3HLS_SECONDS: '6' });
  t.equal(run.code, 0, run.output);
  t.ok(reported(run.output)?.stored, run.output);
});
