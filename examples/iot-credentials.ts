/**
 * A camera authenticating with its AWS IoT device certificate: the IoT credentials provider trades
 * the certificate for temporary credentials of a role alias and refreshes them before they expire;
 * the uploader signs every PUT with the current ones (no long-term keys on the device).
 *
 *     IOT_ENDPOINT=xxxx.credentials.iot.eu-west-1.amazonaws.com IOT_ROLE_ALIAS=camera-role \
 *     IOT_THING=front-door IOT_CERT=device.pem.crt IOT_KEY=device.pem.key S3HLS_BUCKET=footage \
 *     npm run example -- iot-credentials < camera.h264
 *
 * (IOT_CA: the endpoint's CA when it is not a public one. Exit status 1 when anything was not stored.)
 */
import { readFileSync } from 'node:fs';
import { CameraPipeline, iotCredentialsProvider, Uploader } from 's3hls';
import { AnnexBSource, parseFps } from 's3hls/sources';

const thing = process.env['IOT_THING'] ?? 'front-door';
const uploader = new Uploader({
  bucket: process.env['S3HLS_BUCKET'] ?? 'footage',
  region: process.env['AWS_REGION'] ?? 'eu-west-1',
  ...(process.env['S3HLS_ENDPOINT'] ? { endpoint: process.env['S3HLS_ENDPOINT'], forcePathStyle: true } : {}),
  credentials: iotCredentialsProvider({
    endpoint: process.env['IOT_ENDPOINT'] ?? 'example.credentials.iot.eu-west-1.amazonaws.com',
    roleAlias: process.env['IOT_ROLE_ALIAS'] ?? 'camera-role',
    thingName: thing,
    cert: readFileSync(process.env['IOT_CERT'] ?? 'device.pem.crt'),
    key: readFileSync(process.env['IOT_KEY'] ?? 'device.pem.key'),
    ...(process.env['IOT_CA'] ? { ca: readFileSync(process.env['IOT_CA']) } : {}),
  }),
});
uploader.on('credentials-needed', (e) => console.warn(`credentials refused (${e.reason}); retrying in ${e.retryInMs} ms`));

uploader.on('error', (e) => console.warn(`${e.streamId}: ${e.code} ${e.name}: ${e.message}`));

// The camera's encoder writes raw H.264 to stdin, e.g. `encoder | npm run example -- iot-credentials`.
const camera = new CameraPipeline({ streamId: thing, prefix: `cameras/${thing}`, uploader });
const source = new AnnexBSource(camera.stream, { input: '-', fps: parseFps(process.env['FPS'] ?? '25') });
await source.run();
camera.stream.finalize();
const report = await uploader.drain({ timeoutMs: Number(process.env['S3HLS_DRAIN_SECONDS'] ?? '30') * 1000 });
await uploader.close();
const stats = camera.stream.stats();
const dropped = stats.videoFramesDropped + stats.audioFramesDropped;
console.log(
  `example: ${uploader.stats().uploadedSegments} segments stored, ${dropped} frames dropped, ${report.complete ? 'complete' : `incomplete (${report.pending.length} segments not stored)`}`,
);
process.exitCode = report.complete && dropped === 0 && camera.failedSegments === 0 ? 0 : 1;
