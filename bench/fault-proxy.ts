/**
 * A fault-injecting HTTP proxy between the SDK and s3rver (both on 127.0.0.1), used by the upload
 * tests and the chaos run (`npm run chaos`): S3-style 500 InternalError and 503 SlowDown,
 * connection resets in the middle of a request body, resets after the server stored the object
 * (the client never hears the answer), stalled responses, requests held unread until the test lets
 * them go, full outages during which every connection is cut, and an expired session token (403
 * ExpiredToken for every request signed with it). With no faults it is a transparent proxy that
 * also measures requests in flight, which tests use as an invariant.
 *
 * It lives in bench/ next to the chaos run that uses it; test/helpers/fault-proxy.ts re-exports it.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** What the proxy does to one request. */
export type Fault =
  | 'pass'
  /** 500 InternalError without forwarding. */
  | 'error500'
  /** 503 SlowDown without forwarding. */
  | 'slowdown503'
  /** Socket destroyed after part of the request body arrived (nothing forwarded). */
  | 'reset-mid-body'
  /** Forwarded and stored, then the client socket is destroyed instead of answering. */
  | 'reset-after-store'
  /** Forwarded and stored, then no answer at all (the client must time out). */
  | 'stall'
  /** Forwarded unchanged after the request body has waited 300 ms at the proxy (a slow uplink). */
  | 'delay'
  /** The body is left unread (the client's writes back up) until {@link FaultProxy.releaseHeld}, then forwarded. */
  | 'hold'
  /** Body read and dropped, then `200` with a made-up ETag and no checksum echo: nothing is stored. */
  | 'fake-200';

/** One request seen by the proxy. */
export interface ProxyLogEntry {
  readonly method: string;
  readonly url: string;
  readonly fault: Fault;
  /** Status sent to the client, 0 when none was sent. */
  status: number;
  /** When the answer was sent (Date.now()), 0 when none was sent. Set for `fake-200` answers. */
  answeredAtMs: number;
}

/** A running proxy. */
export interface FaultProxy {
  readonly endpoint: string;
  readonly log: ProxyLogEntry[];
  /** Requests open right now / the most ever open at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Chooses the fault of each request (default: always `pass`). */
  setFaultPicker(pick: (method: string, url: string) => Fault): void;
  /** Cuts every connection (existing and new) for `ms`. */
  outage(ms: number): void;
  /** Called when the proxy finished sending a 2xx answer to the client. */
  onAcked(listener: (method: string, url: string) => void): void;
  /** Requests waiting under the `hold` fault. */
  readonly heldCount: number;
  /** Forwards every request waiting under the `hold` fault. */
  releaseHeld(): void;
  /**
   * From now on, every request carrying this session token (`x-amz-security-token`) is answered
   * 403 ExpiredToken without forwarding, as S3 answers temporary credentials past their expiry.
   * @param sessionToken - the token that expired
   */
  expireSessionToken(sessionToken: string): void;
  /** Requests answered 403 ExpiredToken so far. */
  readonly expiredAnswers: number;
  close(): Promise<void>;
}

/**
 * Deterministic PRNG (mulberry32) so a failing fault sequence can be replayed from its seed.
 * @param seed - any integer
 * @returns a function giving numbers in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULTPROXY</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** What the proxy's handlers share. */
interface ProxyState {
  readonly up: URL;
  readonly agent: Agent;
  readonly sockets: Set<Socket>;
  readonly log: ProxyLogEntry[];
  readonly ackListeners: ((method: string, url: string) => void)[];
  pick: (method: string, url: string) => Fault;
  outageUntil: number;
  inFlight: number;
  maxInFlight: number;
  readonly stalled: Set<ServerResponse>;
  readonly heldRequests: (() => void)[];
  readonly expiredTokens: Set<string>;
  expiredAnswers: number;
}

/** Forwards the request to the server; `after` decides what the client gets once the server answered. */
function forward(st: ProxyState, req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, after: 'answer' | 'reset' | 'stall'): void {
  const upReq = httpRequest({ host: st.up.hostname, port: st.up.port, method: req.method, path: req.url, headers: req.headers, agent: st.agent }, (upRes) => {
    const chunks: Buffer[] = [];
    upRes.on('data', (c: Buffer) => chunks.push(c));
    upRes.on('end', () => {
      if (after === 'reset') {
        req.socket.destroy();
        return;
      }
      if (after === 'stall') {
        st.stalled.add(res);
        return;
      }
      entry.status = upRes.statusCode ?? 0;
      res.writeHead(entry.status, upRes.headers);
      res.end(Buffer.concat(chunks));
    });
  });
  upReq.on('error', () => req.socket.destroy());
  req.pipe(upReq);
}

/** Answers one request as its fault says. */
function applyFault(st: ProxyState, fault: Fault, req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry): void {
  switch (fault) {
    case 'hold':
      // Unread: the request stays paused, the client's socket buffers fill, its writes wait.
      st.heldRequests.push(() => forward(st, req, res, entry, 'answer'));
      break;
    case 'pass':
      forward(st, req, res, entry, 'answer');
      break;
    case 'reset-after-store':
      forward(st, req, res, entry, 'reset');
      break;
    case 'stall':
      forward(st, req, res, entry, 'stall');
      break;
    case 'delay':
      // The body stays buffered in the unread request until forward() pipes it.
      setTimeout(() => forward(st, req, res, entry, 'answer'), 300);
      break;
    case 'error500':
    case 'slowdown503':
      req.resume();
      req.on('end', () => {
        entry.status = fault === 'error500' ? 500 : 503;
        if (fault === 'error500') s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
        else s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.');
      });
      break;
    case 'fake-200':
      req.resume();
      req.on('end', () => {
        entry.status = 200;
        entry.answeredAtMs = Date.now();
        res.writeHead(200, { ETag: '"0123456789abcdef0123456789abcdef"', 'Content-Length': '0' });
        res.end();
      });
      break;
    case 'reset-mid-body': {
      let seen = 0;
      const limit = Number(req.headers['content-length'] ?? 0) / 2;
      req.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen >= limit) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      break;
    }
  }
}

/** One request: counted in flight, answered 403 ExpiredToken for an expired token, else given its fault. */
function handle(st: ProxyState, req: IncomingMessage, res: ServerResponse): void {
  st.inFlight++;
  st.maxInFlight = Math.max(st.maxInFlight, st.inFlight);
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    st.inFlight--;
  };
  res.on('finish', () => {
    finish();
    if (res.statusCode >= 200 && res.statusCode < 300) for (const l of st.ackListeners) l(req.method ?? '', req.url ?? '');
  });
  res.on('close', finish);
  const token = req.headers['x-amz-security-token'];
  if (typeof token === 'string' && st.expiredTokens.has(token) && Date.now() >= st.outageUntil) {
    st.log.push({ method: req.method ?? '', url: req.url ?? '', fault: 'pass', status: 403, answeredAtMs: 0 });
    st.expiredAnswers++;
    req.resume();
    req.on('end', () => s3Error(res, 403, 'ExpiredToken', 'The provided token has expired.'));
    return;
  }
  const fault = Date.now() < st.outageUntil ? 'reset-mid-body' : st.pick(req.method ?? '', req.url ?? '');
  const entry: ProxyLogEntry = { method: req.method ?? '', url: req.url ?? '', fault, status: 0, answeredAtMs: 0 };
  st.log.push(entry);
  applyFault(st, fault, req, res, entry);
}

/**
 * Starts a proxy on 127.0.0.1 forwarding to `target`.
 * @param target - the server's origin, e.g. `http://127.0.0.1:4568`
 * @returns the running proxy
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const st: ProxyState = {
    up: new URL(target),
    agent: new Agent({ keepAlive: true, maxSockets: 64 }),
    sockets: new Set(),
    log: [],
    ackListeners: [],
    pick: () => 'pass',
    outageUntil: 0,
    inFlight: 0,
    maxInFlight: 0,
    stalled: new Set(),
    heldRequests: [],
    expiredTokens: new Set(),
    expiredAnswers: 0,
  };
  const server: Server = createServer((req, res) => handle(st, req, res));
  server.on('connection', (s: Socket) => {
    if (Date.now() < st.outageUntil) {
      s.destroy();
      return;
    }
    st.sockets.add(s);
    s.on('close', () => st.sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log: st.log,
    get inFlight() {
      return st.inFlight;
    },
    get maxInFlight() {
      return st.maxInFlight;
    },
    setFaultPicker(p) {
      st.pick = p;
    },
    outage(ms) {
      st.outageUntil = Date.now() + ms;
      for (const s of st.sockets) s.destroy();
    },
    onAcked(l) {
      st.ackListeners.push(l);
    },
    get heldCount() {
      return st.heldRequests.length;
    },
    releaseHeld() {
      for (const go of st.heldRequests.splice(0)) go();
    },
    expireSessionToken(sessionToken) {
      st.expiredTokens.add(sessionToken);
    },
    get expiredAnswers() {
      return st.expiredAnswers;
    },
    async close() {
      st.heldRequests.length = 0;
      for (const r of st.stalled) r.destroy();
      for (const s of st.sockets) s.destroy();
      st.agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
