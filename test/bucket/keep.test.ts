/** `s3hls keep` against s3rver: the range's segments get keep=true (read back), others are untouched. */
import t from 'tap';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { main } from '../../src/cli/main.js';
import { startS3 } from '../helpers/s3server.js';

process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);

t.test('keep tags exactly the range', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const prefix = 'cameras/gate';
  const keys = Array.from({ length: 6 }, (_, i) => segmentKey(prefix, { startTimeMs: T0 + i * 2000, sequence: i, durationMs: 2000, discontinuity: false }));
  await Promise.all(keys.map((Key) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array([0x47]) }))));
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const start = new Date(T0 + 2000).toISOString();
  const end = new Date(T0 + 6000).toISOString();
  t.equal(await main(['keep', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--prefix', prefix, '--start', start, '--end', end], io), 0, err);
  t.match(out, /tagged 2 of 2 segment\(s\) keep=true/);
  const tags = await Promise.all(keys.map(async (Key) => (await client.send(new GetObjectTaggingCommand({ Bucket: s3.bucket, Key }))).TagSet ?? []));
  t.same(
    tags.map((ts) => ts.some((x) => x.Key === 'keep' && x.Value === 'true')),
    [false, true, true, false, false, false],
  );
  err = '';
  t.equal(await main(['keep', '--bucket', s3.bucket, '--prefix', prefix, '--start', start], io), 2);
  t.match(err, /--start and --end are required/);
});
