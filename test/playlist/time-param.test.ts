import t from 'tap';
import { parseTimeParam, TimeParamError } from '../../src/playlist/time-param.js';

const T = Date.UTC(2026, 10, 22, 3, 4, 5);

t.test('accepted forms', async (t) => {
  t.equal(parseTimeParam('2026-11-22T03:04:05Z', 'start'), T);
  t.equal(parseTimeParam('2026-11-22T03:04:05.250Z', 'start'), T + 250);
  t.equal(parseTimeParam('2026-11-22T04:04:05+01:00', 'start'), T);
  t.equal(parseTimeParam('2026-11-21T22:04:05-0500', 'start'), T);
  t.equal(parseTimeParam(String(T / 1000), 'start'), T, 'epoch seconds');
  t.equal(parseTimeParam(`${T / 1000}.5`, 'start'), T + 500, 'fractional epoch seconds');
  t.equal(parseTimeParam('2026-11-22 03:04:05', 'start'), T, 'the reference demo form, UTC');
  t.equal(parseTimeParam('2026-11-22', 'start'), Date.UTC(2026, 10, 22), 'a date is its midnight UTC');
});

t.test('refused forms name the parameter', async (t) => {
  for (const bad of ['', 'yesterday', '2026-02-30T00:00:00Z', '2026-13-01 00:00:00', '2026-11-22T03:04:05', '2026-11-22T25:00:00Z', '-5', '1e12', '99999999999999', 'NaN']) {
    let caught: unknown;
    try {
      parseTimeParam(bad, 'end');
    } catch (e) {
      caught = e;
    }
    t.ok(caught instanceof TimeParamError && caught.param === 'end' && /^end /.test(caught.message), JSON.stringify(bad));
  }
});
