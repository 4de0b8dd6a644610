/**
 * The exporter's reader against s3rver: segments come back in order and byte-exact with one GET
 * ahead, a missing object fails the take that asks for it, and closing with a prefetch in flight
 * aborts it without an unhandled rejection.
 */
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SegmentPrefetcher } from '../../src/export/segment-prefetch.js';
import { startS3 } from '../helpers/s3server.js';

const body = (n: number): Uint8Array => Uint8Array.from({ length: 300_000 + n * 1000 }, (_, i) => (i + n) & 0xff);

t.test('in order, byte-exact, one GET ahead; missing object; close mid-flight', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  for (let n = 0; n < 4; n++) await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `k${n}`, Body: body(n) }));
  const gets = (): number => s3.requests.filter((r) => r.method === 'GET').length;

  const reader = new SegmentPrefetcher({ client, bucket: s3.bucket }, ['k0', 'k1', 'k2', 'k3']);
  for (let n = 0; n < 4; n++) {
    const got = await reader.take();
    // Buffer#equals: tap's deep compare of 300 KB arrays element by element takes seconds.
    t.ok(got !== undefined && Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(body(n)), `segment ${n} byte-exact`);
    // The prefetch of n + 1 has been asked for, never n + 2.
    t.ok(gets() <= n + 2, `at most one GET ahead after take ${n} (${gets()} GETs)`);
  }
  reader.close();

  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): number => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => process.off('unhandledRejection', onUnhandled));
  const missing = new SegmentPrefetcher({ client, bucket: s3.bucket }, ['k0', 'nope', 'k2']);
  t.equal((await missing.take())?.byteLength, body(0).byteLength);
  await new Promise((r) => setTimeout(r, 200)); // the failed prefetch of 'nope' settles while nobody awaits it
  await t.rejects(missing.take(), { name: 'NoSuchKey' }, 'the take of a missing object fails');
  missing.close();

  const early = new SegmentPrefetcher({ client, bucket: s3.bucket }, ['k0', 'k1']);
  await early.take();
  early.close(); // k1's GET is in flight: aborted
  await new Promise((r) => setTimeout(r, 200));
  t.same(unhandled, [], 'no unhandled rejection from an abandoned or failed prefetch');
  client.destroy(); // its keep-alive sockets would hold s3rver's close open until they idle out
});
