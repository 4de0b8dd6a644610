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

t.test('regression: an 8-digit YYYYMMDD is not read as epoch seconds (1970)', async (t) => {
  t.throws(() => parseTimeParam('20261122', 'start'), /start "20261122" .*9 to 11 digits/);
  for (const short of ['1', '86400', '1234567']) t.throws(() => parseTimeParam(short, 'start'), TimeParamError, short);
  t.equal(parseTimeParam('100000000', 'start'), 100_000_000_000, 'nine digits (1973) are epoch seconds');
  t.equal(parseTimeParam('1795316645.5', 'start'), T + 500);
});

t.test('regression: years 0000-0099 are not moved into the 1900s', async (t) => {
  // Date.UTC(99, ...) is 1999: such a value must be refused (before 1970), not read as 1999.
  for (const bad of ['0099-11-22T03:04:05Z', '0070-01-01', '0085-06-01 00:00:00']) t.throws(() => parseTimeParam(bad, 'end'), TimeParamError, bad);
});

t.test('regression: zone offsets out of range are refused', async (t) => {
  for (const bad of ['2026-11-22T03:04:05+99:99', '2026-11-22T03:04:05+24:00', '2026-11-22T03:04:05-05:60', '2026-11-22T03:04:05+0160']) {
    t.throws(() => parseTimeParam(bad, 'start'), TimeParamError, bad);
  }
  t.equal(parseTimeParam('2026-11-22T02:04:05-23:00', 'start'), T + 22 * 3_600_000, '-23:00 is the extreme allowed');
  t.equal(parseTimeParam('2026-11-22T04:03:05+00:59', 'start'), T, 'minutes up to 59');
});

t.test('regression: a raw "+01:00" that a query string turned into " 01:00" is read as +01:00', async (t) => {
  const raw = new URLSearchParams('start=2026-11-22T04:04:05+01:00').get('start')!;
  t.equal(raw, '2026-11-22T04:04:05 01:00', 'what URLSearchParams makes of an unencoded +');
  t.equal(parseTimeParam(raw, 'start'), T);
  t.equal(parseTimeParam('2026-11-22T04:04:05 0100', 'start'), T);
  t.equal(parseTimeParam(new URLSearchParams('start=2026-11-22T04:04:05%2B01:00').get('start')!, 'start'), T, 'an encoded + as before');
  t.throws(() => parseTimeParam('2026-11-22T04:04:05  01:00', 'start'), TimeParamError, 'only one space, only where an offset goes');
});
