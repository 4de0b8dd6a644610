import t from 'tap';
import fc from 'fast-check';
import { FairScheduler, type Schedulable } from '../../src/upload/fair-scheduler.js';

const item = (streamId: string, sequence: number, notBeforeMs = 0): Schedulable => ({ streamId, sequence, notBeforeMs });

t.test('streams take turns; a new stream gets the next turn; retried items go back in sequence order', async (t) => {
  const s = new FairScheduler<Schedulable>();
  for (let i = 0; i < 3; i++) s.push(item('a', i));
  t.equal(s.take(0)?.sequence, 0);
  s.push(item('b', 0));
  t.equal(s.take(0)?.streamId, 'b', 'b joined after a was served: b is next');
  t.equal(s.take(0)?.streamId, 'a');
  s.push(item('a', 0, 0)); // a retry of a:0
  t.same(
    [s.take(0), s.take(0)].map((x) => `${x?.streamId}:${x?.sequence}`),
    ['a:0', 'a:2'],
  );
  t.equal(s.size, 0);
});

t.test('items in backoff are skipped, not blocking their stream', async (t) => {
  const s = new FairScheduler<Schedulable>();
  s.push(item('a', 0, 1000));
  s.push(item('a', 1));
  t.equal(s.take(0)?.sequence, 1);
  t.equal(s.take(0), undefined);
  t.equal(s.nextReadyAtMs(), 1000);
  t.equal(s.take(1000)?.sequence, 0);
});

t.test('property: with every stream backlogged, any window of N takes serves N distinct streams', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }), (backlogs) => {
      const s = new FairScheduler<Schedulable>();
      backlogs.forEach((n, c) => {
        for (let i = 0; i < n; i++) s.push(item(`c${c}`, i));
      });
      const served: string[] = [];
      for (let x = s.take(0); x; x = s.take(0)) served.push(x.streamId);
      // While k streams still have items, each turn of k takes covers k different streams.
      const min = Math.min(...backlogs);
      const first = served.slice(0, min * backlogs.length);
      for (let i = 0; i < first.length; i += backlogs.length) {
        if (new Set(first.slice(i, i + backlogs.length)).size !== backlogs.length) return false;
      }
      return served.length === backlogs.reduce((a, b) => a + b, 0);
    }),
  );
  t.pass('fair for random backlogs');
});
