/**
 * Keeps secrets out of what s3hls prints: the password in a URL's user information
 * (`rtsp://admin:pw@cam/…` → `rtsp://admin:***@cam/…`). Used on every line the CLI, `serve`, the
 * demo and the ffmpeg source's events print, ffmpeg's own stderr included (it echoes its input URL
 * in errors such as `rtsp://admin:pw@cam: Connection refused`).
 */

/**
 * `scheme://user:password@`: the scheme per RFC 3986 §3.1, the user information up to the last `@`
 * before the host (a password may itself hold an unencoded `@`, and ffmpeg splits at the last one).
 * The password part stops at whitespace, `/`, `?` and `#`, which end the authority (§3.2).
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#]*)@/gi;

/**
 * Replaces the password of every URL in a text with `***`, keeping the user name (it tells which
 * account was used, which helps more than it exposes).
 *
 * @param text - any line that may contain URLs
 * @returns the text with `user:***@` in place of `user:password@`
 * @example
 * redactUrlCredentials('rtsp://admin:hunter2@10.0.0.5/ch1: Connection refused');
 * // 'rtsp://admin:***@10.0.0.5/ch1: Connection refused'
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text; // the common case: no URL at all
  return text.replace(USERINFO, '$1$2:***@');
}

/** Something lines are written to (process.stdout, a test's collector). */
export interface TextWriter {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/**
 * Wraps a writer so that everything written through it has URL passwords redacted. Each `write`
 * is redacted on its own: s3hls writes a URL within one call, never split across two.
 *
 * @param writer - the destination
 * @returns a writer with the same `isTTY`
 */
export function redactingWriter<W extends TextWriter>(writer: W): { write(text: string): unknown; isTTY?: boolean } {
  const isTTY = writer.isTTY === true;
  return { write: (text: string) => writer.write(redactUrlCredentials(text)), isTTY };
}
