/**
 * The Lambda handler without S3: transport encoding (gzip and the Vary header it must keep) and
 * options from the environment. Its routes against s3rver are in playlist-server.test.ts.
 */
import t from 'tap';
import { gunzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { createLambdaHandler, optionsFromEnv } from '../../src/lambda/handler.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';

// The player page route answers without S3: this client is never called (it points at a closed port).
const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const event = (headers: Record<string, string>) => ({ version: '2.0', rawPath: '/', rawQueryString: '', headers, requestContext: { http: { method: 'GET' } } });

t.test('regression: gzip appends accept-encoding to Vary instead of replacing "origin"', async (t) => {
  const handler = createLambdaHandler({ client, bucket: 'b', rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example'), corsOrigin: 'https://app.example' });
  const z = await handler(event({ 'accept-encoding': 'gzip' }));
  t.equal(z.statusCode, 200);
  t.equal(z.headers['content-encoding'], 'gzip');
  t.equal(z.headers['vary'], 'origin, accept-encoding', 'a cache must still key on Origin (CORS) and on Accept-Encoding');
  t.equal(z.headers['access-control-allow-origin'], 'https://app.example');
  t.match(gunzipSync(Buffer.from(z.body, 'base64')).toString(), /<title>s3hls player<\/title>/);
  const plain = await handler(event({}));
  t.equal(plain.isBase64Encoded, false);
  t.equal(plain.headers['content-encoding'], undefined);
  t.equal(plain.headers['vary'], 'origin, accept-encoding', 'the plain answer varies on Accept-Encoding too (a cache must not give it for a gzip request or the other way round)');
});

t.test('without CORS, Vary is accept-encoding alone', async (t) => {
  const handler = createLambdaHandler({ client, bucket: 'b', rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example') });
  for (const headers of <Record<string, string>[]>[{ 'accept-encoding': 'gzip' }, {}])
    t.equal((await handler(event(headers))).headers['vary'], 'accept-encoding', JSON.stringify(headers));
});

t.test('optionsFromEnv: the live grace period in seconds', async (t) => {
  const env = { S3HLS_BUCKET: 'b', S3HLS_ROOT_PREFIX: 'cams', S3HLS_BASE_URL: 'https://cdn.example', AWS_REGION: 'us-east-1' };
  t.equal(optionsFromEnv(env).liveGraceMs, undefined, 'default: the routes use 30 s');
  t.equal(optionsFromEnv({ ...env, S3HLS_LIVE_GRACE_SECONDS: '45' }).liveGraceMs, 45_000);
  t.throws(() => optionsFromEnv({ ...env, S3HLS_LIVE_GRACE_SECONDS: 'soon' }), /S3HLS_LIVE_GRACE_SECONDS must be a number/);
  t.throws(() => createLambdaHandler({ ...optionsFromEnv({ ...env, S3HLS_LIVE_GRACE_SECONDS: '-1' }) }), /liveGraceMs must be a non-negative/);
});
