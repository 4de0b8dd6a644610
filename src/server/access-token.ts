/**
 * Bearer-token checks for the playlist endpoint, in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Makes a checker for `Authorization: Bearer <token>`.
 *
 * Both sides are hashed first so the comparison has a fixed length and takes the same time
 * whatever the header holds (a plain `===` leaks the length of the matching prefix).
 *
 * @param token - the configured token (at least 16 characters)
 * @returns a function telling whether an Authorization header value carries the token
 * @throws TypeError when the token is shorter than 16 characters
 */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  if (typeof token !== 'string' || token.length < 16) {
    throw new TypeError(`access token must be at least 16 characters, got ${typeof token === 'string' ? token.length : typeof token}`);
  }
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    const given = createHash('sha256').update(m ? m[1]! : '').digest();
    // Always compare, even when the header was missing, so the timing does not say which case it was.
    return timingSafeEqual(given, expected) && m !== null;
  };
}
