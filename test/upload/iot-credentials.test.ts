/**
 * The AWS IoT credentials provider against a local mutual-TLS endpoint (certificates made with
 * openssl): the device certificate buys credentials, the thing name header is sent, results are
 * cached and refreshed before expiry, concurrent calls share a request, a stranger's certificate
 * and a wrong alias fail with clear errors; end to end, the uploader signs with the rotating
 * session tokens (seen on the wire at s3rver).
 */
import t from 'tap';
import { inspect } from 'node:util';
import { iotCredentialsProvider, IotCredentialsError } from '../../src/upload/iot-credentials.js';
import { Uploader } from '../../src/upload/uploader.js';
import { makePki, startIotEndpoint } from '../helpers/iot-endpoint.js';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { fakeSegment } from './fake-segment.js';

const pki = makePki();
let lifetimeMs = 1500;
const iot = await startIotEndpoint({
  pki,
  roleAlias: 's3hls-upload',
  issue: (n) => ({ ...S3RVER_CREDENTIALS, sessionToken: `token-${n}`, lifetimeMs }),
});
t.teardown(() => iot.close());
const base = { endpoint: iot.endpoint, roleAlias: 's3hls-upload', ca: pki.ca };

t.test('fetches over mTLS with the thing name, caches, refreshes before expiry, coalesces', async (t) => {
  const before = iot.requests.length;
  const provider = iotCredentialsProvider({ ...base, thingName: 'cam-17', cert: pki.deviceCert, key: pki.deviceKey, refreshBeforeExpiryMs: 1000 });
  const [a, b] = await Promise.all([provider(), provider()]);
  t.equal(iot.requests.length - before, 1, 'two concurrent calls, one request');
  t.equal(a, b);
  t.equal(a.accessKeyId, 'S3RVER');
  t.match(a.sessionToken, /^token-\d+$/);
  t.ok(a.expiration instanceof Date && Math.abs(a.expiration.getTime() - Date.now() - lifetimeMs) < 1000, 'expiration parsed');
  const last = iot.requests.at(-1)!;
  t.same(last, { path: '/role-aliases/s3hls-upload/credentials', thingName: 'cam-17', clientCn: 'device' });
  t.equal(await provider(), a, 'cached while more than refreshBeforeExpiryMs remain');
  t.equal(iot.requests.length - before, 1);
  await new Promise((r) => setTimeout(r, 600));
  const c = await provider();
  t.equal(iot.requests.length - before, 2, 'refreshed once within refreshBeforeExpiryMs of expiry');
  t.not(c.sessionToken, a.sessionToken, 'new session token');
  await provider({ forceRefresh: true });
  t.equal(iot.requests.length - before, 3, 'forceRefresh skips the cache');
});

t.test('a certificate the endpoint does not trust, and an unknown role alias, fail clearly', async (t) => {
  const stranger = iotCredentialsProvider({ ...base, cert: pki.strangerCert, key: pki.strangerKey });
  const e1 = await stranger().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(e1 instanceof IotCredentialsError, 'IotCredentialsError');
  t.match((e1 as Error).message, /IoT credentials request failed: /);
  const wrongAlias = iotCredentialsProvider({ ...base, roleAlias: 'nope', cert: pki.deviceCert, key: pki.deviceKey });
  const e2 = await wrongAlias().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((e2 as IotCredentialsError).httpStatus, 404);
  t.match((e2 as Error).message, /HTTP 404 for role alias nope/);
  t.throws(() => iotCredentialsProvider({ ...base, endpoint: 'http://127.0.0.1:1', cert: 'x', key: 'y' }), { name: 'TypeError', message: /https/ });
  t.throws(() => iotCredentialsProvider({ ...base, roleAlias: 'a/b', cert: 'x', key: 'y' }), { name: 'TypeError', message: /roleAlias/ });
});

t.test('uploader signs with IoT credentials and picks up the refreshed session token', async (t) => {
  lifetimeMs = 1200;
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const provider = iotCredentialsProvider({ ...base, cert: pki.deviceCert, key: pki.deviceKey, refreshBeforeExpiryMs: 700 });
  const u = new Uploader({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, credentials: provider });
  t.teardown(() => u.close());
  const seen: unknown[] = [];
  u.on('uploaded', (e) => seen.push(e));
  u.on('error', (e) => seen.push(e));
  const sink = u.sinkFor('cam-iot', { prefix: 'iot' });
  sink.onSegment(fakeSegment({ streamId: 'cam-iot', sequence: 0 }));
  t.ok((await u.drain({ timeoutMs: 5000 })).complete);
  await new Promise((r) => setTimeout(r, 700));
  sink.onSegment(fakeSegment({ streamId: 'cam-iot', sequence: 1 }));
  t.ok((await u.drain({ timeoutMs: 5000 })).complete);
  const tokens = s3.requests.filter((r) => r.method === 'PUT').map((r) => r.headers['x-amz-security-token']);
  t.equal(tokens.length, 2);
  t.match(tokens[0], /^token-\d+$/);
  t.match(tokens[1], /^token-\d+$/);
  t.not(tokens[0], tokens[1], 'second PUT signed with the refreshed credentials');
  const text = inspect(seen, { depth: Infinity });
  t.notOk(/token-\d/.test(text), 'no session token in events');
});
