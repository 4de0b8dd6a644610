/**
 * Issue 13 §4: the Lambda handler fails closed. Regression tests for the table rows "Lambda with a
 * malformed event, or an S3 failure: TypeError / 502, nothing logged", "S3HLS_TOKEN='' : auth
 * silently off; the Lambda then allows public caching" and "S3HLS_MAX_RANGE_SECONDS has no cap".
 * Storage is a real s3rver on 127.0.0.1.
 */
import t from 'tap';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { createEnvHandler, createLambdaHandler, MAX_RANGE_SECONDS_CAP, optionsFromEnv } from '../../src/lambda/handler.js';
import { startS3 } from '../helpers/s3server.js';

const TOKEN = 'correct-horse-battery-staple';
const SECRET = 'wJalrXUtnFEMI-not-a-real-secret';
const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const event = (rawPath: string, headers: Record<string, string> = {}, extra: object = {}) => ({
  version: '2.0',
  rawPath,
  rawQueryString: '',
  headers,
  requestContext: { http: { method: 'GET' } },
  ...extra,
});
const ENV = { S3HLS_BUCKET: 'b', S3HLS_ROOT_PREFIX: 'cams', S3HLS_BASE_URL: 'https://cdn.example', AWS_REGION: 'us-east-1' };

t.test('regression: a malformed event answers 400 with a JSON reason and one log line', async (t) => {
  const lines: string[] = [];
  const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const handler = createLambdaHandler({ client, bucket: 'b', rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example'), log: (l) => lines.push(l) });
  const cases: [unknown, RegExp][] = [
    [undefined, /expected an API Gateway HTTP API \(payload 2\.0\) event object, got undefined/],
    [null, /got null/],
    ['GET /', /got string/],
    [{}, /rawPath must be a string/],
    [{ rawPath: '/cameras' }, /requestContext\.http\.method/],
    [{ rawPath: '/cameras', requestContext: {} }, /requestContext\.http\.method/],
    [{ version: '1.0', path: '/cameras', httpMethod: 'GET' }, /payload format version "1\.0" is not supported/],
    [{ ...event('/cameras'), headers: { authorization: ['a', 'b'] } }, /header "authorization" must be a string/],
    [{ ...event('/cameras'), rawQueryString: 5 }, /rawQueryString must be a string/],
  ];
  for (const [ev, why] of cases) {
    const r = await handler(ev as never);
    t.equal(r.statusCode, 400, JSON.stringify(ev));
    t.equal(r.headers['content-type'], 'application/json');
    t.match((JSON.parse(r.body) as { error: string }).error, why);
  }
  t.equal(lines.length, cases.length, 'one log line each');
  for (const l of lines) t.match(JSON.parse(l), { level: 'warn', msg: 'malformed event' });
});

t.test('regression: every S3 failure is logged once as one JSON line without secrets', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  // s3rver does not check secrets: this one must simply never appear in the log.
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET, sessionToken: 'session-token-value' },
  });
  const lines: string[] = [];
  const handler = createLambdaHandler({
    client,
    bucket: 'no-such-bucket',
    rootPrefix: 'cams',
    urls: baseUrlResolver('https://cdn.example'),
    accessToken: TOKEN,
    log: (l) => lines.push(l),
  });
  const r = await handler(event('/cameras', { authorization: `Bearer ${TOKEN}` }));
  t.equal(r.statusCode, 502);
  t.match(r.body, /storage request failed/);
  t.notMatch(r.body, /no-such-bucket/, 'no internals to the client');
  t.equal(lines.length, 1, 'logged once');
  t.notOk(lines[0].includes('\n'));
  const entry: unknown = JSON.parse(lines[0]);
  t.match(entry, { level: 'error', msg: 'storage request failed', method: 'GET', path: '/cameras', error: 'NoSuchBucket', s3Status: 404 });
  for (const secret of [SECRET, TOKEN, 'session-token-value', 'Signature=', 'Authorization']) t.notOk(lines[0].includes(secret), `no ${secret} in the log`);
  // A network failure (nothing listening) is logged the same way.
  const dead = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'x', secretAccessKey: SECRET },
  });
  const lines2: string[] = [];
  const h2 = createLambdaHandler({ client: dead, bucket: 'b', rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example'), log: (l) => lines2.push(l) });
  t.equal((await h2(event('/cameras'))).statusCode, 502);
  t.equal(lines2.length, 1);
  t.match(JSON.parse(lines2[0]), { level: 'error', msg: 'storage request failed', path: '/cameras', message: /ECONNREFUSED/ });
});

t.test('regression: S3HLS_TOKEN set but empty is a configuration error (500 + log line), never public', async (t) => {
  for (const token of ['', '   ', '\n']) {
    const lines: string[] = [];
    const h = createEnvHandler({ ...ENV, S3HLS_TOKEN: token }, (l) => lines.push(l));
    for (let i = 0; i < 2; i++) {
      const r = await h(event('/cameras'));
      t.equal(r.statusCode, 500, JSON.stringify(token));
      t.same(JSON.parse(r.body), { error: 'configuration error: see the function log' });
      t.equal(r.headers['cache-control'], 'no-store');
    }
    t.equal(lines.length, 2, 'one line per call');
    t.match(JSON.parse(lines[0]), { level: 'error', msg: 'configuration error', message: /S3HLS_TOKEN is set but empty/ });
  }
  t.throws(() => optionsFromEnv({ ...ENV, S3HLS_TOKEN: '' }), /S3HLS_TOKEN is set but empty/);
  t.equal(optionsFromEnv({ ...ENV, S3HLS_TOKEN: ` ${TOKEN}\n` }).accessToken, TOKEN, 'trimmed');
  t.throws(() => optionsFromEnv({ ...ENV, S3HLS_CORS_ORIGIN: 'https://a.example\r\nx' }), /S3HLS_CORS_ORIGIN contains a carriage return/);
});

t.test(`regression: S3HLS_MAX_RANGE_SECONDS is capped at ${MAX_RANGE_SECONDS_CAP} s (24 h)`, async (t) => {
  t.equal(MAX_RANGE_SECONDS_CAP, 86_400);
  t.equal(optionsFromEnv({ ...ENV, S3HLS_MAX_RANGE_SECONDS: '86400' }).maxRangeMs, 86_400_000);
  for (const v of ['2678400', '86401', '0', '1.5', '-5']) {
    t.throws(() => optionsFromEnv({ ...ENV, S3HLS_MAX_RANGE_SECONDS: v }), /S3HLS_MAX_RANGE_SECONDS must be a whole number of seconds in 1\.\.86400/, v);
  }
  const lines: string[] = [];
  const r = await createEnvHandler({ ...ENV, S3HLS_MAX_RANGE_SECONDS: String(31 * 86400) }, (l) => lines.push(l))(event('/cameras'));
  t.equal(r.statusCode, 500, '31 days: a configuration error, not a 1.5 GB playlist');
  t.match((JSON.parse(lines[0]) as { message: string }).message, /S3HLS_MAX_RANGE_SECONDS/);
});

t.test('authorized responses are Cache-Control: private (token, Authorization header, or an API Gateway authorizer)', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  await client.send(
    new PutObjectCommand({ Bucket: s3.bucket, Key: segmentKey('cams/door', { startTimeMs: T0, sequence: 0, durationMs: 2000, discontinuity: true }), Body: new Uint8Array(188) }),
  );
  const base = { client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example') };
  const withToken = createLambdaHandler({ ...base, accessToken: TOKEN });
  t.equal((await withToken(event('/cameras', { authorization: `Bearer ${TOKEN}` }))).headers['cache-control'], 'private, max-age=10');
  const open = createLambdaHandler(base);
  t.equal((await open(event('/cameras'))).headers['cache-control'], 'public, max-age=10', 'no token, no authorizer: public as before');
  const viaAuthorizer = await open(event('/cameras', {}, { requestContext: { http: { method: 'GET' }, authorizer: { jwt: { claims: { sub: 'u1' } } } } }));
  t.equal(viaAuthorizer.statusCode, 200);
  t.equal(viaAuthorizer.headers['cache-control'], 'private, max-age=10', 'an authorizer admitted the caller: private');
  t.equal((await open(event('/cameras', { authorization: 'Bearer abc' }))).headers['cache-control'], 'private, max-age=10', 'a caller presenting credentials: private');
  const live = await withToken(event('/cameras/door/live.m3u8', { authorization: `Bearer ${TOKEN}` }));
  t.equal(live.statusCode, 200);
  t.match(live.headers['cache-control'], /^private, max-age=\d+$/);
});

t.test('an unexpected failure inside the handler answers 500 JSON with one log line', async (t) => {
  const lines: string[] = [];
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const real = s3.client();
  await real.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: segmentKey('cams/door', { startTimeMs: Date.now() - 4000, sequence: 0, durationMs: 2000, discontinuity: true }),
      Body: new Uint8Array(188),
    }),
  );
  const handler = createLambdaHandler({ client: real, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example'), log: (l) => lines.push(l) });
  // Headers that make the adapter throw: a getter standing in for any bug past the routes.
  const ev = {
    ...event('/cameras'),
    headers: Object.defineProperty({}, 'origin', {
      enumerable: false,
      get: () => {
        throw new Error('adapter bug');
      },
    }),
  };
  const r = await handler(ev);
  t.equal(r.statusCode, 500);
  t.same(JSON.parse(r.body), { error: 'internal error' });
  t.equal(lines.length, 1);
  t.match(JSON.parse(lines[0]), { level: 'error', msg: 'request failed', path: '/cameras', message: 'adapter bug' });
  t.equal((await handler(event('/cameras'))).statusCode, 200, 'the next call is served');
});
