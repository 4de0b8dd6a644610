/**
 * A camera authenticating with its AWS IoT device certificate: the IoT credentials provider trades
 * the certificate for temporary credentials of a role alias and refreshes them before they expire;
 * the uploader signs every PUT with the current ones (no long-term keys on the device).
 *
 *     IOT_ENDPOINT=xxxx.credentials.iot.eu-west-1.amazonaws.com IOT_ROLE_ALIAS=camera-role \
 *     IOT_THING=front-door S3HLS_BUCKET=footage npx tsx examples/iot-credentials.ts
 */
import { readFileSync } from 'node:fs';
import { AnnexBSource } from '../src/sources/annexb-source.js';
import { parseFps } from '../src/h264/frame-timing.js';
import { HlsStream } from '../src/stream/hls-stream.js';
import { iotCredentialsProvider } from '../src/upload/iot-credentials.js';
import { Uploader } from '../src/upload/uploader.js';

const thing = process.env['IOT_THING'] ?? 'front-door';
const uploader = new Uploader({
  bucket: process.env['S3HLS_BUCKET'] ?? 'footage',
  region: process.env['AWS_REGION'] ?? 'eu-west-1',
  credentials: iotCredentialsProvider({
    endpoint: process.env['IOT_ENDPOINT'] ?? 'example.credentials.iot.eu-west-1.amazonaws.com',
    roleAlias: process.env['IOT_ROLE_ALIAS'] ?? 'camera-role',
    thingName: thing,
    cert: readFileSync(process.env['IOT_CERT'] ?? 'device.pem.crt'),
    key: readFileSync(process.env['IOT_KEY'] ?? 'device.pem.key'),
  }),
});
uploader.on('credentials-needed', (e) => console.warn(`credentials refused (${e.reason}); retrying in ${e.retryInMs} ms`));

// The camera's encoder writes raw H.264 to stdin, e.g. `encoder | node examples/iot-credentials.ts`.
const stream = new HlsStream({ streamId: thing, sink: uploader.sinkFor(thing, { prefix: `cameras/${thing}` }) });
const source = new AnnexBSource(stream, { input: '-', fps: parseFps(process.env['FPS'] ?? '25') });
await source.run();
stream.finalize();
const report = await uploader.drain({ timeoutMs: 30_000 });
await uploader.close();
console.log(report.complete ? 'all stored' : `${report.pending.length} segments not stored`);
