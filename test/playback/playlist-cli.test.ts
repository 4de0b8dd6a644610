/**
 * `s3hls playlist` through the playback service against s3rver: a VOD of stored segments on
 * stdout; a prefix with nothing stored says so on stderr, names the nearest prefixes that exist and
 * exits 1 (issue 10 §7); a prefix with footage but none in the range prints an empty playlist, a note, exit 0.
 */
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { main } from '../../src/cli/main.js';
import { startS3 } from '../helpers/s3server.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

t.test('playlist: VOD, an empty prefix with suggestions, an empty range', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  for (const cam of ['front-door', 'back-yard']) {
    for (let i = 0; i < 3; i++) {
      await client.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: segmentKey(`cams/${cam}`, { startTimeMs: T0 + i * 2000, sequence: i, durationMs: 2000, discontinuity: i === 0 }),
          Body: new Uint8Array([0x47]),
        }),
      );
    }
  }
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const store = ['--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--base-url', 'https://cdn.example'];
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  t.equal(await main(['playlist', ...store, '--prefix', 'cams/front-door', '--start', String(T0 / 1000)], io), 0, err);
  t.equal(out.split('#EXTINF').length - 1, 3);
  t.match(out, /#EXT-X-ENDLIST\n$/);

  out = '';
  err = '';
  t.equal(await main(['playlist', ...store, '--prefix', 'cams/front-dor'], io), 1, 'nothing stored: exit 1');
  t.equal(out, '', 'no playlist on stdout');
  t.match(err, /nothing is stored under cams\/front-dor\/ in bucket test-bucket; prefixes that exist nearby:\n {2}cams\/front-door\n {2}cams\/back-yard\n/);

  out = '';
  err = '';
  t.equal(await main(['playlist', ...store, '--prefix', 'cams/front-door', '--start', String(T0 / 1000 + 3600), '--end', String(T0 / 1000 + 7200)], io), 0);
  t.match(out, /^#EXTM3U\n[\s\S]*#EXT-X-ENDLIST\n$/);
  t.match(err, /no segments under cams\/front-door\/ in the range/);
});
