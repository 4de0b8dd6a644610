/**
 * The chaos harness, short scenario (bench/chaos.ts SHORT_SCENARIO): 2 cameras of real libx264
 * 1080p at 4x real time in a child process → HlsStream → SpoolingSink(DiskSpool) → Uploader →
 * fault proxy → s3rver on 127.0.0.1, with random 500 / 503 SlowDown / resets / stalls / `200` answers
 * that store nothing (each must be detected as UNVERIFIED_PUT, issue 10 §1), a 3 s
 * outage (12 s of media: three times what the 4 MiB pool holds, so the spool must take over) and a
 * session-token expiry renewed by setCredential. Every object is read back through the S3 API and
 * compared with the sha256 the camera process journaled when it muxed it. No SIGKILL here:
 * test/spool/sigkill.test.ts kills a spool writer for real and `npm run chaos` kills the camera process.
 */
import t from 'tap';
import { chaosPassed, formatSummary, runChaos, SHORT_SCENARIO } from '../../bench/chaos.js';
import { hasFfmpeg } from '../../bench/inputs.js';

t.test('short chaos scenario: every segment stored once, byte-identical, none missing', { skip: hasFfmpeg() ? false : 'ffmpeg is needed for the input' }, async (t) => {
  const s = await runChaos(SHORT_SCENARIO, { seed: Number(process.env['FAULT_SEED'] ?? 20261122) });
  t.comment(formatSummary(s));
  t.ok(s.produced >= 20, `the cameras produced segments (${s.produced})`);
  t.equal(s.stored, s.produced, 'every produced segment is stored under its key, byte-identical');
  t.equal(s.missing, 0, 'none missing');
  t.equal(s.corrupted, 0, 'none corrupted');
  t.equal(s.storedTwiceUnderDifferentKeys, 0, 'none stored twice under different keys');
  t.equal(s.unexpected, 0, 'no object nobody produced');
  t.ok(s.runsComplete, 'the camera process finished its uploads and backlog');
  t.ok(s.expiredTokenAnswers >= 1 && s.credentialHolds >= 1, 'the token expiry was seen and held the uploads');
  t.ok((s.faultsInjected['reset-mid-body'] ?? 0) >= 1, 'the outage cut connections');
  t.ok(s.spoolTookOver.spooled >= s.produced, 'write-ahead: every segment went to the spool');
  t.ok(s.spoolTookOver.movedToBacklog + s.spoolTookOver.detached >= 1, 'the outage made the spool take segments out of the pool');
  t.ok(s.fake200.injected >= 1, `the proxy answered 200 without storing (${s.fake200.injected})`);
  t.equal(s.fake200.detected, s.fake200.injected, 'every 200 without storing was detected as UNVERIFIED_PUT for its key');
  t.ok(chaosPassed(s), 'the chaos targets hold');
});
