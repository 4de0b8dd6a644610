/**
 * The C-style API end to end against a real S3-compatible server (s3rver on 127.0.0.1): frames in,
 * objects out, byte-identical to what the muxer wrote, with keys, tags and metadata.
 */
import t from 'tap';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3Hls, S3HLS } from '../../src/api/s3hls.js';
import { parseSegmentKey } from '../../src/keys/object-keys.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { CollectSink } from '../helpers/collect-sink.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';

t.test('calls out of order are programmer errors', async (t) => {
  const api = new S3Hls();
  t.throws(() => api.putVideoFrame({ items: [], pts90k: 0 }), TypeError);
  t.throws(() => api.setCredential('a', 'b'), /before initialize/);
  api.initialize({ bucket: 'bucket', prefix: 'cams/x', endpoint: 'http://127.0.0.1:9', forcePathStyle: true });
  t.throws(() => api.initialize({ bucket: 'bucket', prefix: 'cams/x' }), /twice/);
  t.throws(() => api.setTag('a=1&a=2'), { code: 'BAD_TAGS' }, 'duplicate keys refused');
  t.throws(() => new S3Hls().initialize({ bucket: 'bucket', prefix: '/leading' }), TypeError);
  await api.finalize({ timeoutMs: 100 });
});

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it' });
} else {
  t.test('initialize → setCredential → setTag → startUpload → put → finalize stores every segment byte-exact', async (t) => {
    const s3 = await startS3();
    t.teardown(() => s3.close());
    const aus = accessUnits(fixture('baseline.h264')).map((n) => annexB(n));
    // The same frames through a bare stream give the bytes S3 must hold.
    const reference = new CollectSink();
    const ref = new HlsStream({ streamId: 'door', sink: reference });

    S3HLS.initialize({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', prefix: 'cameras/door' });
    S3HLS.setCredential(S3RVER_CREDENTIALS.accessKeyId, S3RVER_CREDENTIALS.secretAccessKey);
    S3HLS.setTag('site=paris&model=c1');
    // Frames before startUpload are kept, not lost.
    for (let i = 0; i < 30; i++) {
      const pack = { items: [{ part1: aus[i] }], timestampUs: 1_000_000 + i * 40_000 };
      t.equal(S3HLS.putVideoFrame(pack), true);
      ref.putVideoFrame(pack);
    }
    S3HLS.startUpload();
    for (let i = 30; i < aus.length; i++) {
      // Split every item in two, as a ring buffer would.
      const cut = 1 + ((i * 7919) % (aus[i].length - 1));
      const pack = { items: [{ part1: aus[i].subarray(0, cut), part2: aus[i].subarray(cut) }], timestampUs: 1_000_000 + i * 40_000 };
      t.equal(S3HLS.putVideoFrame(pack), true);
      ref.putVideoFrame(pack);
    }
    const report = await S3HLS.finalize({ timeoutMs: 20_000 });
    ref.finalize();
    t.equal(report.complete, true, 'every upload settled');
    t.same(report.pending, []);

    const client = s3.client();
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'cameras/door/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key as string).sort();
    t.equal(keys.length, reference.segments.length, 'one object per segment');
    for (const [i, key] of keys.entries()) {
      const parsed = parseSegmentKey(key, 'cameras/door');
      t.ok(parsed, `${key} is a timeline key`);
      // The media sequence number is run-start based (its own wall clock): one more per segment.
      t.equal((parsed?.sequence ?? 0) - (parseSegmentKey(keys[0], 'cameras/door')?.sequence ?? 0), i, 'key sequence numbers rise by one per segment');
      t.ok((parsed?.sequence ?? 0) > 17_000_000_000, 'and are run-start based (ms / 100), not 0-based');
      t.equal(parsed?.durationMs, Math.round(reference.segments[i].meta.durationTicks / 90));
      const obj = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      const body = Buffer.from(await (obj.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      t.equal(Buffer.compare(body, reference.segments[i].bytes), 0, `${key} is byte-identical to the muxer's output`);
      t.equal(obj.ContentType, 'video/mp2t');
      t.ok(ffmpegGate(body).ok, `${key} passes the ffmpeg gate`);
    }
    t.equal(parseSegmentKey(keys[0], 'cameras/door')?.discontinuity, true, 'the first segment of a run starts a timeline');
    const puts = s3.requests.filter((r) => r.method === 'PUT' && r.url.includes('/cameras/door/'));
    t.ok(puts.length >= keys.length);
    t.ok(
      puts.every((r) => r.headers['x-amz-tagging'] === 'site=paris&model=c1'),
      'tags on every PUT',
    );
    t.throws(() => S3HLS.putVideoFrame({ items: [{ part1: aus[0] }], pts90k: 0 }), TypeError, 'finalized');
  });
}
