/**
 * `s3hls bucket setup`: the dry-run JSON, CORS put for real on s3rver (read back with GetBucketCors),
 * and the exact PutBucketLifecycleConfiguration request captured at a loopback HTTP server
 * (s3rver has no lifecycle API).
 */
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetBucketCorsCommand } from '@aws-sdk/client-s3';
import { bucketSetupPlan } from '../../src/bucket/bucket-config.js';
import { main } from '../../src/cli/main.js';
import { startS3 } from '../helpers/s3server.js';

/** The part of `bucket setup --dry-run`'s JSON these tests read. */
interface BucketSetupJson {
  CORSConfiguration: { CORSRules: { AllowedOrigins: string[] }[] };
  LifecycleConfiguration: { Rules: { Expiration: unknown; Filter: unknown }[] };
}

process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

t.test('plan: lifecycle only with a retention; bad values rejected', async (t) => {
  t.equal(bucketSetupPlan().lifecycle, undefined);
  const p = bucketSetupPlan({ retentionDays: 90, infrequentAccess: true });
  t.same(p.lifecycle?.Rules?.[0]?.Transitions, [{ Days: 30, StorageClass: 'STANDARD_IA' }]);
  t.equal(bucketSetupPlan({ retentionDays: 14, infrequentAccess: true }).lifecycle?.Rules?.[0]?.Transitions, undefined, 'no IA transition for 14-day retention');
  t.throws(() => bucketSetupPlan({ retentionDays: 0 }), RangeError);
  t.throws(() => bucketSetupPlan({ origin: 'https://x.com/path' }), TypeError);
});

t.test('--dry-run prints the JSON and sends nothing', async (t) => {
  const c = capture();
  t.equal(await main(['bucket', 'setup', '--bucket', 'b', '--origin', 'https://cams.example.com', '--retention-days', '30', '--dry-run'], c.io), 0, c.err());
  const json = JSON.parse(c.out()) as BucketSetupJson;
  t.same(json.CORSConfiguration.CORSRules[0].AllowedOrigins, ['https://cams.example.com']);
  t.same(json.LifecycleConfiguration.Rules[0].Expiration, { Days: 30 });
  t.same(json.LifecycleConfiguration.Rules[0].Filter, { And: { Prefix: '', Tags: [{ Key: 's3hls-retention', Value: 'expire' }] } });
  const bad = capture();
  t.equal(await main(['bucket', 'setup', '--bucket', 'b', '--retention-days', 'x', '--dry-run'], bad.io), 2);
  t.match(bad.err(), /--retention-days must be a whole number/);
});

t.test('CORS is put for real on s3rver', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const c = capture();
  t.equal(await main(['bucket', 'setup', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--origin', 'http://127.0.0.1:8080'], c.io), 0, c.err());
  const cors = await s3.client().send(new GetBucketCorsCommand({ Bucket: s3.bucket }));
  t.same(cors.CORSRules?.[0]?.AllowedOrigins, ['http://127.0.0.1:8080']);
  t.same([...(cors.CORSRules?.[0]?.AllowedMethods ?? [])].sort(), ['GET', 'HEAD']);
});

t.test('the lifecycle request on the wire', async (t) => {
  const seen: { method: string; url: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = capture();
  t.equal(await main(['bucket', 'setup', '--bucket', 'cams', '--endpoint', endpoint, '--path-style', '--retention-days', '45', '--infrequent-access'], c.io), 0, c.err());
  const lc = seen.find((r) => r.url.includes('lifecycle'));
  t.ok(lc, 'a lifecycle request was sent');
  t.equal(lc?.method, 'PUT');
  t.match(lc?.url ?? '', /^\/cams\/?\?lifecycle/);
  const body = lc?.body ?? '';
  t.match(body, /<ID>s3hls-retention<\/ID>/);
  t.match(body, /<Status>Enabled<\/Status>/);
  t.match(body, /<Filter><And><Prefix><\/Prefix><Tag><Key>s3hls-retention<\/Key><Value>expire<\/Value><\/Tag><\/And><\/Filter>/);
  t.match(body, /<Expiration><Days>45<\/Days><\/Expiration>/);
  t.match(body, /<Transition><Days>30<\/Days><StorageClass>STANDARD_IA<\/StorageClass><\/Transition>/);
  t.ok(
    seen.some((r) => r.url.includes('cors') && r.method === 'PUT'),
    'CORS was put first',
  );
});
