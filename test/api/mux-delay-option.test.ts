/** The mux delay reaches the stream from the C-style API and the pipeline (PCR = DTS − delay). */
import t from 'tap';
import { S3Hls } from '../../src/api/s3hls.js';
import { CameraPipeline } from '../../src/pipeline/camera-pipeline.js';
import { Uploader } from '../../src/upload/uploader.js';

const base = { bucket: 'footage', prefix: 'cams/door', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } as const;

t.test('an out-of-range muxDelayMs is refused by name, from the API and the pipeline', async (t) => {
  const api = new S3Hls();
  t.throws(() => api.initialize({ ...base, muxDelayMs: 100 }), /muxDelayMs/);
  const uploader = new Uploader({ bucket: 'footage', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  t.teardown(() => uploader.close());
  t.throws(() => new CameraPipeline({ streamId: 'door', prefix: 'cams/door', uploader, muxDelayMs: 6000 }), /muxDelayMs/);
  t.throws(() => new CameraPipeline({ streamId: 'door', prefix: 'cams/door', uploader, maxAudioWaitMs: -1 }), /maxAudioWaitMs/);
  const ok = new CameraPipeline({ streamId: 'door', prefix: 'cams/door', uploader, muxDelayMs: 1500 });
  t.ok(ok.stream, 'a valid delay is accepted');
});
