import t from 'tap';
import fc from 'fast-check';
import { parseTags } from '../../src/upload/tags.js';
import { S3HlsError } from '../../src/errors.js';

t.test('string form parses, encodes for x-amz-tagging, keeps order', async (t) => {
  const p = parseTags('camera=front door&site=paris/17&plus=a+b');
  t.same(p.tags, [
    { key: 'camera', value: 'front door' },
    { key: 'site', value: 'paris/17' },
    { key: 'plus', value: 'a+b' },
  ]);
  t.equal(p.header, 'camera=front%20door&site=paris%2F17&plus=a%2Bb');
});

t.test('percent-encoded string form decodes; empty value allowed; object form', async (t) => {
  t.same(parseTags('k%20x=%C3%A9t%C3%A9&empty=').tags, [
    { key: 'k x', value: 'été' },
    { key: 'empty', value: '' },
  ]);
  t.equal(parseTags('k=').header, 'k=');
  t.equal(parseTags({ a: '1', 'b:c': 'x@y' }).header, 'a=1&b%3Ac=x%40y');
  t.equal(parseTags('').header, '');
  t.equal(parseTags({}).header, '');
});

t.test('every S3 rule is enforced with a BAD_TAGS error naming it', async (t) => {
  const cases: [string | Record<string, string>, RegExp][] = [
    [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])), /at most 10 tags/],
    [{ ['k'.repeat(129)]: 'v' }, /129 characters, S3 allows 128/],
    [{ k: 'v'.repeat(257) }, /257 characters, S3 allows 256/],
    ['a=1&a=2', /appears twice/],
    ['=v', /must not be empty/],
    ['aws:x=1', /reserved "aws:" prefix/],
    ['k=a;b', /character S3 does not allow/],
    ['k%ZZ=1', /malformed %-escape/],
    ['a=1&&b=2', /empty pair/],
  ];
  for (const [input, re] of cases) {
    let caught: unknown;
    try {
      parseTags(input);
    } catch (e) {
      caught = e;
    }
    t.ok(caught instanceof S3HlsError && caught.code === 'BAD_TAGS', `BAD_TAGS for ${JSON.stringify(input).slice(0, 40)}`);
    t.match((caught as Error | undefined)?.message, re);
  }
  // 128 and 256 Unicode characters (astral ones count once) are fine; an emoji is not a letter.
  t.doesNotThrow(() => parseTags({ ['é'.repeat(128)]: '𠀀'.repeat(256) }));
  t.throws(() => parseTags({ k: '😀' }), { code: 'BAD_TAGS' });
  t.throws(() => parseTags(42 as unknown as string), TypeError);
  t.throws(() => parseTags({ k: 1 as unknown as string }), TypeError);
});

t.test('property: any valid object round-trips through the header encoding', async (t) => {
  const ch = fc.constantFrom(...'abcXYZ09 +-=._:/@éあ'.split(''));
  const str = (min: number, max: number) => fc.array(ch, { minLength: min, maxLength: max }).map((a) => a.join(''));
  fc.assert(
    fc.property(
      fc.dictionary(
        str(1, 20).filter((k) => !k.toLowerCase().startsWith('aws:')),
        str(0, 30),
        { maxKeys: 10 },
      ),
      (obj) => {
        const { header, tags } = parseTags(obj);
        // Decode the header as S3 would (RFC 3986: %20 is a space, %2B a plus).
        const back = header === '' ? [] : header.split('&').map((p) => p.split('=').map(decodeURIComponent));
        return JSON.stringify(back) === JSON.stringify(tags.map((x) => [x.key, x.value])) && /^[A-Za-z0-9%=&._~-]*$/.test(header);
      },
    ),
  );
  t.pass('200 random tag sets round-tripped');
});
