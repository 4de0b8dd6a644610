import t from 'tap';
import { UploadMonitor } from '../../src/cli/upload-monitor.js';
import type { CliExit } from '../../src/cli/exit-codes.js';
import type { UploadErrorEvent } from '../../src/upload/events.js';

const err = (code: string, name: string): UploadErrorEvent => ({
  streamId: 'c',
  key: 'k',
  sequence: 0,
  code: code as UploadErrorEvent['code'],
  name,
  httpStatus: undefined,
  message: '',
  attempt: 1,
  willRetry: true,
  retryInMs: 100,
});

function monitor(live: boolean) {
  const fired: CliExit[] = [];
  const m = new UploadMonitor({ live, endpointLabel: 'http://127.0.0.1:1', bucket: 'b', onFatal: (e) => fired.push(e) });
  return { m, fired };
}

t.test('refused credentials end a file run at once (exit 4), once', async (t) => {
  const { m, fired } = monitor(false);
  m.uploaded();
  m.error(err('CREDENTIALS_REFUSED', 'SignatureDoesNotMatch'));
  m.credentialsNeeded({ reason: 'SignatureDoesNotMatch', heldSegments: 1, retryInMs: 30000 });
  t.equal(fired.length, 1);
  t.equal(fired[0].code, 4);
  t.match(fired[0].message, /refused the credentials \(SignatureDoesNotMatch\)/);
});

t.test('a live run keeps going through refusals after a success, not before', async (t) => {
  const a = monitor(true);
  a.m.uploaded();
  a.m.error(err('CREDENTIALS_REFUSED', 'ExpiredToken'));
  a.m.error(err('UPLOAD_PERMANENT', 'AccessDenied'));
  t.equal(a.fired.length, 0);
  const b = monitor(true);
  b.m.error(err('UPLOAD_PERMANENT', 'NoSuchBucket'));
  t.equal(b.fired[0]?.code, 4);
  t.match(b.fired[0]?.message, /bucket b \(NoSuchBucket\)/);
});

t.test('unreachable: 3 network failures in a row before any success → exit 5; other transient errors never', async (t) => {
  const a = monitor(true);
  a.m.error(err('UPLOAD_TRANSIENT', 'ECONNREFUSED'));
  a.m.error(err('UPLOAD_TRANSIENT', 'ECONNREFUSED'));
  t.equal(a.fired.length, 0);
  a.m.error(err('UPLOAD_TRANSIENT', 'ECONNREFUSED'));
  t.equal(a.fired[0]?.code, 5);
  t.match(a.fired[0]?.message, /cannot reach http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED after 3 attempts\)/);
  const b = monitor(false);
  for (let i = 0; i < 10; i++) b.m.error(err('UPLOAD_TRANSIENT', 'SlowDown'));
  b.m.uploaded();
  for (let i = 0; i < 10; i++) b.m.error(err('UPLOAD_TRANSIENT', 'ECONNRESET'));
  t.equal(b.fired.length, 0, 'after a success the endpoint is known to exist: keep retrying');
});

t.test('live cameras with a spool: an endpoint down from the start is an outage (one notice), not exit 5', async (t) => {
  const fired: CliExit[] = [];
  const notices: string[] = [];
  const m = new UploadMonitor({
    live: true,
    endpointLabel: 'http://127.0.0.1:1',
    bucket: 'b',
    outageTolerant: true,
    onNotice: (n) => notices.push(n),
    onFatal: (e) => fired.push(e),
  });
  for (let i = 0; i < 10; i++) m.error(err('UPLOAD_TRANSIENT', 'ECONNREFUSED'));
  t.equal(fired.length, 0, 'the run goes on');
  t.equal(notices.length, 1, 'said once');
  t.match(notices[0], /cannot reach http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED after 3 attempts\): spooling to disk/);
  // A refusal is still a configuration error, spool or not.
  m.error(err('UPLOAD_PERMANENT', 'NoSuchBucket'));
  t.equal(fired.length, 1);
  t.equal(fired[0].code, 4);
});
