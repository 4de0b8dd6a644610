/**
 * The `--cors` / `S3HLS_CORS_ORIGIN` setting, checked before the endpoint listens: `*`, one origin,
 * or a comma-separated list of origins. A value that could not be sent as a header (CR, LF, any
 * non-ASCII byte) or is not an origin is refused up front: before, it made `writeHead` throw on the
 * first request and took the process down.
 */
import type { RouteResponse } from './playlist-routes.js';

/** A checked CORS setting. */
export type CorsPolicy =
  /** `Access-Control-Allow-Origin: *` for everyone. */
  | { readonly kind: 'any' }
  /** Only these origins (`scheme://host[:port]`, lower case), each echoed back when it asks. */
  | { readonly kind: 'origins'; readonly origins: readonly string[] };

/** `scheme://host[:port]` as browsers send it in `Origin` (RFC 6454 §6.2): no path, no user info. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * Checks a CORS setting.
 *
 * @param value - `*`, `https://app.example`, or `https://a.example, https://b.example:8443`
 * @param name - the flag or variable, for the message (e.g. `--cors`)
 * @returns the policy
 * @throws TypeError naming the setting and the offending part (control or non-ASCII characters,
 *   an empty list entry, `*` inside a list, something that is not an origin)
 */
export function parseCorsOrigins(value: string, name: string): CorsPolicy {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  // Header values are Latin-1 at best; CR/LF would split the response. Only printable ASCII passes.
  const bad = /[^\x20-\x7e]/.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!;
    const what =
      code === 0x0d
        ? 'a carriage return (CR)'
        : code === 0x0a
          ? 'a line feed (LF)'
          : code < 0x20 || code === 0x7f
            ? `control character U+${code.toString(16).padStart(4, '0')}`
            : `non-ASCII character U+${code.toString(16).padStart(4, '0')} (write the host in punycode)`;
    throw new TypeError(`${name} contains ${what}: give *, one origin, or a comma-separated list of origins`);
  }
  const trimmed = value.trim();
  if (trimmed === '*') return { kind: 'any' };
  const origins = trimmed.split(',').map((o) => o.trim().toLowerCase());
  for (const o of origins) {
    if (o === '') throw new TypeError(`${name} has an empty entry in ${JSON.stringify(value)}: give *, one origin, or a comma-separated list of origins`);
    if (o === '*') throw new TypeError(`${name}: * cannot be combined with origins (give * alone)`);
    if (!ORIGIN.test(o) || Number(/:(\d+)$/.exec(o)?.[1] ?? 0) > 65535) {
      throw new TypeError(`${name}: ${JSON.stringify(o)} is not an origin (scheme://host[:port], e.g. https://app.example, no path or trailing slash)`);
    }
  }
  return { kind: 'origins', origins: [...new Set(origins)] };
}

/**
 * The CORS headers for a response to a request from `origin`.
 *
 * With one configured origin it is always sent (the answer is the same for everyone, so caches may
 * share it); with several, the request's origin is echoed only when listed. `Vary: Origin` always,
 * so a shared cache never hands one origin's answer to another.
 *
 * @param policy - from {@link parseCorsOrigins}
 * @param origin - the request's `Origin` header
 * @returns headers to merge into the response (only `vary` when the origin is not allowed)
 */
export function corsHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  let allow: string | undefined;
  if (policy.kind === 'any') allow = '*';
  else if (policy.origins.length === 1) allow = policy.origins[0];
  else if (origin !== undefined && policy.origins.includes(origin.toLowerCase())) allow = origin.toLowerCase();
  if (allow === undefined) return { vary: 'origin' };
  return { 'access-control-allow-origin': allow, 'access-control-allow-headers': 'authorization', 'access-control-allow-methods': 'GET, HEAD, OPTIONS', vary: 'origin' };
}

/**
 * Adds the CORS headers to a route's response, appending to an existing `Vary`.
 *
 * @param res - the route's response
 * @param policy - the checked setting, or undefined for no CORS
 * @param origin - the request's `Origin` header
 * @returns a new response
 */
export function withCors(res: RouteResponse, policy: CorsPolicy | undefined, origin: string | undefined): RouteResponse {
  if (policy === undefined) return res;
  const { vary, ...rest } = corsHeaders(policy, origin);
  const headers = { ...res.headers, ...rest };
  const varies = (res.headers['vary'] ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  headers['vary'] = varies.includes('origin') ? res.headers['vary'] : [...(res.headers['vary'] ? [res.headers['vary']] : []), vary].join(', ');
  return { ...res, headers };
}

/**
 * The answer to a CORS preflight (`OPTIONS`).
 *
 * @param policy - the checked setting
 * @param origin - the request's `Origin` header
 * @returns 204 with the CORS headers and a 10-minute preflight cache
 */
export function preflightResponse(policy: CorsPolicy, origin: string | undefined): RouteResponse {
  return { status: 204, headers: { ...corsHeaders(policy, origin), 'access-control-max-age': '600' }, body: '' };
}
