/**
 * Child process of payload-signing.test.ts: one Uploader PUTs one fake segment to the endpoint in
 * argv[2] and prints `{"uploaded":N,"errors":[...]}`. A child because trusting the test's
 * self-signed certificate takes NODE_EXTRA_CA_CERTS, which Node reads only at start-up — and the
 * point is to exercise the uploader's own client unchanged, not one configured for the test.
 */
import { Uploader } from '../../src/upload/uploader.js';
import { fakeSegment } from './fake-segment.js';

const { endpoint, signPayload } = JSON.parse(process.argv[2] ?? '{}') as { endpoint: string; signPayload?: boolean };
const u = new Uploader({
  bucket: 'signing',
  endpoint,
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  retry: { baseDelayMs: 20, maxDelayMs: 100 },
  ...(signPayload !== undefined ? { signPayload } : {}),
});
const errors: string[] = [];
u.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
u.sinkFor('cam1', { prefix: 'sig/cam1' }).onSegment(fakeSegment({ streamId: 'cam1', sequence: 0, packets: 500 }));
await u.drain({ timeoutMs: 10_000 });
console.log(JSON.stringify({ uploaded: u.stats().uploadedSegments, errors }));
await u.close();
