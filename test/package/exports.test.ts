/**
 * The package's entry points, loaded the way a user's code loads them: through the package name
 * (Node's self-reference to package.json "exports") from the built dist/, in a plain node process.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ENTRY_NAMES: Record<string, readonly string[]> = {
  s3hls: ['S3HLS', 'S3Hls', 'Uploader', 'HlsStream', 'CameraPipeline', 'S3HlsError', 'ErrorCode', 'segmentKey'],
  's3hls/sources': ['FfmpegSource', 'AnnexBSource', 'SharedRingReader', 'SharedRingWriter', 'createSharedRing', 'CameraManager', 'AccessUnitSplitter'],
  's3hls/mpegts': ['writePat', 'writePmt', 'writePesHeader', 'crc32Mpeg2', 'ContinuityCounters', 'TS_PACKET_SIZE'],
  's3hls/playlist': ['listSegments', 'renderMediaPlaylist', 'selectLiveWindow', 'presignedUrlResolver', 'querySpans', 'exportClip'],
  's3hls/server': ['startPlaylistServer', 'createPlaylistRoutes'],
  's3hls/lambda': ['handler', 'createLambdaHandler', 'optionsFromEnv'],
};

/** Imports `specifier` in a fresh node process and returns its export names (or the error code). */
function importNames(specifier: string): { names?: string[]; error?: string } {
  const code = `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m))), (e) => console.log(JSON.stringify({ error: e.code ?? e.message })))`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const parsed = JSON.parse(out.trim()) as string[] | { error: string };
  return Array.isArray(parsed) ? { names: parsed } : { error: parsed.error };
}

t.before(() => {
  // npm test builds dist/ before the suite; a lone `npx tap` of this file builds it here.
  if (!existsSync('dist/entries/lambda.js')) spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
});

t.test('every subpath resolves through the package name and exports its public names', async (t) => {
  for (const [specifier, expected] of Object.entries(ENTRY_NAMES)) {
    const got = importNames(specifier);
    t.notOk(got.error, `${specifier} loads`);
    for (const name of expected) t.ok(got.names?.includes(name), `${specifier} exports ${name}`);
  }
});

t.test('internals are not reachable by path', async (t) => {
  for (const internal of ['s3hls/dist/stream/segment-queue.js', 's3hls/src/index.ts', 's3hls/stream']) {
    t.equal(importNames(internal).error, 'ERR_PACKAGE_PATH_NOT_EXPORTED', internal);
  }
  t.notOk(importNames('s3hls').names?.includes('SegmentQueue'), 'the segment queue is internal');
});

t.test('the firmware entry point does not load the server, the player or the export code', async (t) => {
  // What `import 's3hls'` pulls in, by module URL (a resolve hook prints each): the playback side
  // lives behind subpaths.
  const code = `await import('s3hls');`;
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '--experimental-loader',
      'data:text/javascript,export async function resolve(s,c,n){const r=await n(s,c);if(r.url.includes("/dist/"))console.error("LOADED "+r.url);return r}',
      '-e',
      code,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' } },
  );
  const loaded = probe.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7));
  t.ok(loaded.length > 10, `modules seen: ${loaded.length}`);
  for (const folder of ['/dist/server/', '/dist/lambda/', '/dist/export/'])
    t.notOk(
      loaded.some((u) => u.includes(folder)),
      `nothing under ${folder}`,
    );
});
