/**
 * Bearer-token checks for the playlist endpoint, in constant time, and the one rule for what a
 * configured token may be (shared by `s3hls serve`, the server options and the Lambda handler).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Shortest token accepted: 16 characters (about 95 bits from a random base64 string). */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Checks and trims a configured token.
 *
 * A token read from a file or an environment variable often carries a trailing newline; before,
 * it was kept and then never matched a header (which cannot carry one). A variable set to the empty
 * string used to switch authentication off: it is a mistake, never "no token".
 *
 * @param raw - the configured value
 * @param name - where it came from, for the message (`--token`, `S3HLS_TOKEN`, `accessToken`)
 * @returns the token without surrounding whitespace
 * @throws TypeError when it is empty or whitespace only, holds whitespace inside, or is shorter
 *   than {@link MIN_TOKEN_LENGTH}
 */
export function normalizeAccessToken(raw: string, name: string): string {
  if (typeof raw !== 'string') throw new TypeError(`${name} must be a string, got ${typeof raw}`);
  const token = raw.trim();
  if (token === '') throw new TypeError(`${name} is set but empty: give a token of at least ${MIN_TOKEN_LENGTH} characters, or unset it to serve without one`);
  // RFC 6750 §2.1: a bearer token has no whitespace, so one with whitespace could never be presented.
  if (/\s/.test(token)) throw new TypeError(`${name} must not contain whitespace`);
  if (token.length < MIN_TOKEN_LENGTH) throw new TypeError(`${name}: the access token must be at least ${MIN_TOKEN_LENGTH} characters, got ${token.length}`);
  return token;
}

/**
 * Makes a checker for `Authorization: Bearer <token>`.
 *
 * Both sides are hashed first so the comparison has a fixed length and takes the same time
 * whatever the header holds (a plain `===` leaks the length of the matching prefix).
 *
 * @param token - the configured token (trimmed here; see {@link normalizeAccessToken})
 * @returns a function telling whether an Authorization header value carries the token
 * @throws TypeError when the token is empty, holds whitespace, or is shorter than 16 characters
 */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(normalizeAccessToken(token, 'access token')).digest();
  return (authorization) => {
    const m = /^\s*Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    const given = createHash('sha256')
      .update(m ? m[1] : '')
      .digest();
    // Always compare, even when the header was missing, so the timing does not say which case it was.
    return timingSafeEqual(given, expected) && m !== null;
  };
}
