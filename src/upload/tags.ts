/**
 * S3 object tags: parsing the reference SDK's string form (`k1=v1&k2=v2`) and an object form,
 * validating against S3's rules and encoding them for the `x-amz-tagging` header.
 *
 * S3 rules (Amazon S3 User Guide, "Categorizing your storage using tags"): at most 10 tags per
 * object; keys 1-128 Unicode characters, values 0-256; keys unique; letters, digits, white space
 * and `+ - = . _ : / @`; the `aws:` key prefix is reserved.
 */
import { ErrorCode, S3HlsError } from '../errors.js';

/** One tag, in the order given. */
export interface S3Tag {
  /** Tag key (1-128 characters). */
  readonly key: string;
  /** Tag value (0-256 characters). */
  readonly value: string;
}

/** Tags as accepted by the uploader: `k1=v1&k2=v2` (components may be percent-encoded) or an object. */
export type TagsInput = string | Readonly<Record<string, string>>;

/** Validated tags and their header encoding. */
export interface ParsedTags {
  /** The tags, in the order given. */
  readonly tags: readonly S3Tag[];
  /** `x-amz-tagging` value (RFC 3986 percent-encoding of every key and value), or '' for no tags. */
  readonly header: string;
}

/** Maximum tags per object (S3). */
export const MAX_TAGS = 10;
/** Maximum key length in Unicode characters (S3). */
export const MAX_TAG_KEY_CHARS = 128;
/** Maximum value length in Unicode characters (S3). */
export const MAX_TAG_VALUE_CHARS = 256;

// \p{L} letters, \p{N} digits, \p{Zs} spaces, and the punctuation S3 lists.
const TAG_CHARS = /^[\p{L}\p{N}\p{Zs}+\-=._:/@]*$/u;

function bad(message: string): S3HlsError {
  return new S3HlsError(ErrorCode.BadTags, message);
}

/** Unicode code points, not UTF-16 units: S3 counts characters. */
function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function decode(component: string, what: string): string {
  try {
    // decodeURIComponent, not URLSearchParams: '+' is a legal tag character, not a space.
    return decodeURIComponent(component);
  } catch {
    throw bad(`tag ${what} ${JSON.stringify(component)} has a malformed %-escape`);
  }
}

/** RFC 3986 unreserved characters stay, everything else is %-encoded (as S3 expects in x-amz-tagging). */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function splitString(input: string): S3Tag[] {
  if (input === '') return [];
  const out: S3Tag[] = [];
  for (const pair of input.split('&')) {
    if (pair === '') throw bad(`tags ${JSON.stringify(input)} contain an empty pair (stray "&")`);
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    out.push({ key: decode(rawKey, 'key'), value: decode(rawValue, 'value') });
  }
  return out;
}

/**
 * Parses and validates object tags.
 *
 * @param input - `k1=v1&k2=v2` (each key and value may be percent-encoded; `+` is a plus sign, not a
 *   space) or an object `{ k1: 'v1' }`. An empty string or object means no tags.
 * @returns the tags and their `x-amz-tagging` encoding
 * @throws TypeError when `input` is neither a string nor a plain object of strings
 * @throws S3HlsError with code `BAD_TAGS` naming the rule broken (count, length, character, duplicate, `aws:` prefix)
 * @example
 * ```ts
 * parseTags('camera=front door&site=paris').header // 'camera=front%20door&site=paris'
 * ```
 */
export function parseTags(input: TagsInput): ParsedTags {
  let tags: S3Tag[];
  if (typeof input === 'string') {
    tags = splitString(input);
  } else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    tags = [];
    for (const [key, value] of Object.entries(input)) {
      if (typeof value !== 'string') {
        throw new TypeError(`tags.${key} must be a string, got ${typeof value}`);
      }
      tags.push({ key, value });
    }
  } else {
    throw new TypeError(`tags must be a string like "k1=v1&k2=v2" or an object of strings, got ${input === null ? 'null' : typeof input}`);
  }
  if (tags.length > MAX_TAGS) throw bad(`S3 allows at most ${MAX_TAGS} tags per object, got ${tags.length}`);
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    const keyChars = charCount(key);
    if (keyChars === 0) throw bad('tag keys must not be empty');
    if (keyChars > MAX_TAG_KEY_CHARS) throw bad(`tag key ${JSON.stringify(key.slice(0, 32))}... is ${keyChars} characters, S3 allows ${MAX_TAG_KEY_CHARS}`);
    if (charCount(value) > MAX_TAG_VALUE_CHARS) throw bad(`value of tag ${JSON.stringify(key)} is ${charCount(value)} characters, S3 allows ${MAX_TAG_VALUE_CHARS}`);
    if (!TAG_CHARS.test(key)) throw bad(`tag key ${JSON.stringify(key)} has a character S3 does not allow (letters, digits, spaces and + - = . _ : / @)`);
    if (!TAG_CHARS.test(value)) throw bad(`value of tag ${JSON.stringify(key)} has a character S3 does not allow (letters, digits, spaces and + - = . _ : / @)`);
    if (key.toLowerCase().startsWith('aws:')) throw bad(`tag key ${JSON.stringify(key)} uses the reserved "aws:" prefix`);
    if (seen.has(key)) throw bad(`tag key ${JSON.stringify(key)} appears twice`);
    seen.add(key);
  }
  const header = tags.map((t) => `${encode(t.key)}=${encode(t.value)}`).join('&');
  return { tags, header };
}
