/**
 * The queue behind serve's static answers (src/server/turn-budget-queue.ts): jobs run in order, a
 * time budget per event-loop turn, so a timer or I/O callback queued meanwhile runs before the
 * flood is over; a throwing job is reported and the rest still run.
 */
import t from 'tap';
import { TurnBudgetQueue } from '../../src/server/turn-budget-queue.js';

/** Holds the thread for `ms` (a job that costs CPU, like a 150 KB socket write). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

t.test('a timer gets a turn while 40 jobs of 1 ms run with a 2 ms budget', async (t) => {
  const q = new TurnBudgetQueue((e) => t.fail(String(e)), 2);
  const done: number[] = [];
  for (let i = 0; i < 40; i++) q.push(() => (busy(1), done.push(i)));
  t.equal(q.size, 40, 'nothing runs synchronously');
  const seenByTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(done.length), 0));
  t.ok(seenByTimer < 40, `the timer ran after ${seenByTimer} of 40 jobs, not after all of them`);
  while (q.size > 0) await new Promise((r) => setImmediate(r));
  t.same(done, [...Array(40).keys()], 'every job, in order');
});

t.test('a throwing job is reported; the next ones run', async (t) => {
  const errors: unknown[] = [];
  const q = new TurnBudgetQueue((e) => errors.push(e));
  const ran: string[] = [];
  q.push(() => ran.push('a'));
  q.push(() => {
    throw new Error('boom');
  });
  q.push(() => ran.push('c'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.same(ran, ['a', 'c']);
  t.equal(errors.length, 1);
  t.match(String(errors[0]), /boom/);
});

t.test('budget must be a positive number', async (t) => {
  t.throws(() => new TurnBudgetQueue(() => {}, 0), RangeError);
  t.throws(() => new TurnBudgetQueue(() => {}, Number.NaN), RangeError);
});
