/**
 * A stand-in for the AWS IoT credentials endpoint on 127.0.0.1: HTTPS that requires a client
 * certificate signed by a test CA, serving `GET /role-aliases/<alias>/credentials` with
 * `{"credentials":{accessKeyId,secretAccessKey,sessionToken,expiration}}`. Certificates are made
 * with the `openssl` command in a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM material for the test. */
export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A device certificate signed by the CA. */
  readonly deviceCert: string;
  readonly deviceKey: string;
  /** A self-signed device certificate the server must refuse. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

/** Makes a CA, a server certificate for 127.0.0.1 and two device certificates with openssl. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    const key = (name: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    key('ca');
    run('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=s3hls test CA', '-days', '2', '-out', 'ca.crt');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(dir, 'device.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const [name, ext] of [
      ['server', 'server.ext'],
      ['device', 'device.ext'],
    ] as const) {
      key(name);
      run('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${name}.crt`);
    }
    key('stranger');
    run('req', '-x509', '-new', '-key', 'stranger.key', '-subj', '/CN=stranger', '-days', '2', '-out', 'stranger.crt');
    const r = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      ca: r('ca.crt'),
      serverCert: r('server.crt'),
      serverKey: r('server.key'),
      deviceCert: r('device.crt'),
      deviceKey: r('device.key'),
      strangerCert: r('stranger.crt'),
      strangerKey: r('stranger.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One request the endpoint served. */
export interface IotRequest {
  readonly path: string;
  readonly thingName: string | undefined;
  readonly clientCn: string | undefined;
}

/** A running endpoint. */
export interface IotEndpoint {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly requests: IotRequest[];
  close(): Promise<void>;
}

/** Options of {@link startIotEndpoint}. */
export interface IotEndpointOptions {
  readonly pki: TestPki;
  readonly roleAlias: string;
  /** Credentials to hand out for the n-th request (0-based), with their lifetime. */
  readonly issue: (n: number) => { accessKeyId: string; secretAccessKey: string; sessionToken: string; lifetimeMs: number };
}

/** Starts the endpoint on 127.0.0.1 (client certificate required, verified against the test CA). */
export async function startIotEndpoint(o: IotEndpointOptions): Promise<IotEndpoint> {
  const requests: IotRequest[] = [];
  const server: Server = createServer({ key: o.pki.serverKey, cert: o.pki.serverCert, ca: o.pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const thing = req.headers['x-amzn-iot-thingname'];
    const cn: unknown = peer?.subject?.CN;
    requests.push({ path: req.url ?? '', thingName: typeof thing === 'string' ? thing : undefined, clientCn: typeof cn === 'string' ? cn : undefined });
    if (req.method !== 'GET' || req.url !== `/role-aliases/${o.roleAlias}/credentials`) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"Role alias does not exist"}');
      return;
    }
    const c = o.issue(requests.length - 1);
    const body = JSON.stringify({
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(Date.now() + c.lifetimeMs).toISOString() },
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
