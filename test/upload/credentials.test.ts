/**
 * Refused credentials against a server that verifies SigV4 (@20minutes/s3rver on 127.0.0.1): a
 * wrong secret or an unknown key id holds every segment (none released, none lost), emits
 * `credentials-needed`, and after `setCredential` (or a provider that refreshes) every held segment
 * arrives byte-identical. No secret, token or signature appears in any event, error or report.
 */
import t, { type Test } from 'tap';
import { inspect } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { Uploader } from '../../src/upload/uploader.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { segmentKey } from '../../src/keys/object-keys.js';
import { bodyBytes, fakeSegment, type FakeSegment } from './fake-segment.js';

const s3 = await startS3({ verifySignatures: true });
t.teardown(() => s3.close());
const client = s3.client();
const WRONG_SECRET = 'wR0ngS3cretKeyThatMustNeverBeLogged0000';
const TOKEN = 'SessionTokenThatMustNeverBeLogged+/=';

function keyOf(prefix: string, s: FakeSegment): string {
  return segmentKey(prefix, { startTimeMs: s.startTimeMs, sequence: s.sequence, durationMs: 2000, discontinuity: s.discontinuity });
}

/** Every Signature=... the server received, to check none leaks. */
function signaturesSeen(): string[] {
  return s3.requests.map((r) => /Signature=([0-9a-f]{64})/.exec(String(r.headers.authorization ?? ''))?.[1]).filter((x): x is string => !!x);
}

function recordAll(u: Uploader): unknown[] {
  const seen: unknown[] = [];
  for (const ev of ['uploaded', 'error', 'credentials-needed', 'resumed', 'discarded'] as const) u.on(ev, (p) => seen.push({ ev, p }));
  return seen;
}

function assertNoSecrets(t: Test, things: unknown[]): void {
  const text = things.map((x) => `${JSON.stringify(x)}\n${inspect(x, { depth: Infinity, showHidden: true })}`).join('\n');
  t.notOk(text.includes(WRONG_SECRET), 'wrong secret never appears');
  t.notOk(text.includes('secretAccessKey'), 'no secretAccessKey field');
  t.notOk(text.includes(TOKEN), 'session token never appears');
  const sigs = signaturesSeen();
  t.ok(sigs.length > 0, 'signatures were sent');
  t.notOk(
    sigs.some((s) => text.includes(s)),
    'no request signature appears',
  );
  t.notOk(/StringToSign|CanonicalRequest|SignatureProvided/.test(text), 'no signing material from the error body');
}

t.test('wrong secret: held, reported, nothing lost; setCredential delivers every segment', async (t) => {
  const u = new Uploader({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    concurrency: 2,
    credentials: { accessKeyId: S3RVER_CREDENTIALS.accessKeyId, secretAccessKey: WRONG_SECRET, sessionToken: TOKEN },
    retry: { credentialsRetryMs: 60_000 },
  });
  t.teardown(() => u.close());
  const seen = recordAll(u);
  const needed: string[] = [];
  u.on('credentials-needed', (e) => needed.push(e.reason));
  const sink = u.sinkFor('cam-creds', { prefix: 'creds' });
  const segs = Array.from({ length: 5 }, (_, i) => fakeSegment({ streamId: 'cam-creds', sequence: i, splitAt: i === 2 ? 400 : undefined }));
  for (const s of segs) sink.onSegment(s);

  const first = await u.drain({ timeoutMs: 1500 });
  t.notOk(first.complete, 'not complete while credentials are refused');
  t.equal(first.error?.code, 'FINALIZE_INCOMPLETE');
  t.equal(first.pending.length, 5, 'every segment reported pending');
  t.same(needed, ['SignatureDoesNotMatch'], 'one credentials-needed event, with the reason');
  t.ok(first.pending.some((p) => p.lastError?.code === 'CREDENTIALS_REFUSED'));
  t.ok(
    segs.every((s) => s.releaseCount === 0),
    'nothing released',
  );
  t.equal(u.stats().heldForCredentials, true);
  const putsWhileHeld = s3.requests.filter((r) => r.method === 'PUT').length;
  t.ok(putsWhileHeld <= 2, `held: no PUT beyond the ${putsWhileHeld} already in flight`);

  u.setCredential(S3RVER_CREDENTIALS.accessKeyId, S3RVER_CREDENTIALS.secretAccessKey);
  const done = await u.drain({ timeoutMs: 15_000 });
  t.ok(done.complete, 'everything uploaded after setCredential');
  for (const s of segs) {
    t.equal(s.releaseCount, 1);
    const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keyOf('creds', s) }));
    t.ok((await bodyBytes(out.Body)).equals(s.bytesWhole), `segment ${s.sequence} identical`);
  }
  assertNoSecrets(t, [...seen, first, done, u.stats()]);
});

t.test('unknown access key id is a credentials failure too; a provider that refreshes resumes on its own', async (t) => {
  let calls = 0;
  const provider = async (o?: { forceRefresh?: boolean }) => {
    calls++;
    // An unknown key until the uploader asks for a refresh (after the server refused it).
    return o?.forceRefresh ? { ...S3RVER_CREDENTIALS } : { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: WRONG_SECRET };
  };
  const u = new Uploader({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: provider,
    retry: { credentialsRetryMs: 200 },
  });
  t.teardown(() => u.close());
  const seen = recordAll(u);
  const reasons: string[] = [];
  const resumed: string[] = [];
  u.on('credentials-needed', (e) => reasons.push(e.reason));
  u.on('resumed', (e) => resumed.push(e.trigger));
  const sink = u.sinkFor('cam-prov', { prefix: 'prov' });
  const segs = Array.from({ length: 3 }, (_, i) => fakeSegment({ streamId: 'cam-prov', sequence: i }));
  for (const s of segs) sink.onSegment(s);
  const report = await u.drain({ timeoutMs: 15_000 });
  t.ok(report.complete, 'all uploaded after the provider refreshed');
  t.same(reasons, ['InvalidAccessKeyId']);
  t.same(resumed, ['retry-timer']);
  t.ok(calls >= 2, 'provider asked again (forceRefresh)');
  for (const s of segs) {
    const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keyOf('prov', s) }));
    t.ok((await bodyBytes(out.Body)).equals(s.bytesWhole));
  }
  assertNoSecrets(t, seen);
});

t.test('rotation does not break a PUT in flight; the next PUT uses the new credentials', async (t) => {
  const proxy = await startFaultProxy(s3.endpoint);
  t.teardown(() => proxy.close());
  proxy.setFaultPicker((method) => (method === 'PUT' ? 'delay' : 'pass'));
  const u = new Uploader({ bucket: s3.bucket, endpoint: proxy.endpoint, forcePathStyle: true, concurrency: 1, credentials: { ...S3RVER_CREDENTIALS } });
  t.teardown(() => u.close());
  const seen = recordAll(u);
  const uploaded: number[] = [];
  const needed: string[] = [];
  u.on('uploaded', (e) => uploaded.push(e.sequence));
  u.on('credentials-needed', (e) => needed.push(e.reason));
  const sink = u.sinkFor('cam-rot', { prefix: 'rot' });
  const s0 = fakeSegment({ streamId: 'cam-rot', sequence: 0 });
  const s1 = fakeSegment({ streamId: 'cam-rot', sequence: 1 });
  sink.onSegment(s0);
  sink.onSegment(s1);
  // s0 is signed and waiting at the proxy; s1 is queued (concurrency 1).
  await new Promise((r) => setTimeout(r, 100));
  t.equal(u.stats().inFlight, 1);
  u.setCredential(S3RVER_CREDENTIALS.accessKeyId, WRONG_SECRET, TOKEN);
  const mid = await u.drain({ timeoutMs: 1500 });
  t.same(uploaded, [0], 'the PUT in flight (old, valid signature) succeeded');
  t.same(
    mid.pending.map((p) => p.sequence),
    [1],
    'the next one was signed with the new (wrong) secret and is held',
  );
  t.same(needed, ['SignatureDoesNotMatch']);
  u.setCredential(S3RVER_CREDENTIALS.accessKeyId, S3RVER_CREDENTIALS.secretAccessKey);
  t.ok((await u.drain({ timeoutMs: 5000 })).complete);
  t.same(uploaded, [0, 1]);
  t.equal(s1.releaseCount, 1);
  assertNoSecrets(t, [...seen, mid]);
});

t.test('signPayload: false signs UNSIGNED-PAYLOAD, which a verifying server accepts, with the CRC32 still sent', async (t) => {
  const u = new Uploader({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, credentials: { ...S3RVER_CREDENTIALS }, signPayload: false });
  t.teardown(() => u.close());
  const sink = u.sinkFor('cam-unsigned', { prefix: 'unsigned' });
  const seg = fakeSegment({ streamId: 'cam-unsigned', sequence: 0 });
  sink.onSegment(seg);
  t.ok((await u.drain({ timeoutMs: 5000 })).complete);
  const key = keyOf('unsigned', seg);
  const put = s3.requests.find((r) => r.method === 'PUT' && r.url.includes(key));
  t.equal(put?.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
  t.ok(put?.headers['x-amz-checksum-crc32']);
  const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  t.ok((await bodyBytes(out.Body)).equals(seg.bytesWhole));
  t.throws(() => new Uploader({ bucket: 'b-ok', signPayload: false, checksum: 'none' }), { name: 'TypeError', message: /signPayload/ });
});
