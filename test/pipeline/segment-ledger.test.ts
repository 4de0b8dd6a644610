/** Every segment leaves `pending` exactly once (src/pipeline/segment-ledger.ts). */
import t from 'tap';
import { SegmentLedger, type SegmentOutcome } from '../../src/pipeline/segment-ledger.js';

t.test('stored, spooled then stored, refused, not-uploaded: one outcome each, counts balance', async (t) => {
  const out: SegmentOutcome[] = [];
  const l = new SegmentLedger('cam', (o) => out.push(o));
  for (let s = 0; s < 5; s++) l.handedOut(s, 10, 1000);
  t.match(l.counts(), { pendingSegments: 5, pendingFrames: 50 });
  l.stored(0, 'k0');
  l.stored(0, 'k0'); // a second report of the same segment changes nothing
  l.spooled(1);
  l.failed(2, 'refused', undefined, undefined, 'no valid key');
  l.failed(2, 'discarded', 'k2', 'UPLOAD_PERMANENT', 'late'); // already failed: ignored
  t.match(l.counts(), { storedSegments: 1, spooledSegments: 1, failedSegments: 1, pendingSegments: 2 });
  l.stored(1, 'k1'); // uploaded from the spool later
  l.settlePending(new Map([[3, { key: 'k3', code: 'UPLOAD_TRANSIENT', message: 'not stored when the run ended (SlowDown)' }]]));
  t.same(l.counts(), { storedSegments: 2, storedFrames: 20, spooledSegments: 0, spooledFrames: 0, failedSegments: 3, failedFrames: 30, pendingSegments: 0, pendingFrames: 0 });
  t.same(
    out.map((o) => `${o.sequence}:${o.state}${o.reason ? `(${o.reason})` : ''}`),
    ['0:stored', '1:spooled', '2:failed(refused)', '1:stored', '3:failed(not-uploaded)', '4:failed(not-uploaded)'],
  );
  t.same(
    l.failures().map((f) => f.sequence),
    [2, 3, 4],
  );
  t.match(l.failures()[1], { key: 'k3', code: 'UPLOAD_TRANSIENT' });
  t.match(l.failures()[2], { key: undefined, message: 'not stored when the run ended' });
  l.stored(99, 'other'); // not handed out by this stream: ignored
  t.equal(l.counts().storedSegments, 2);
});
