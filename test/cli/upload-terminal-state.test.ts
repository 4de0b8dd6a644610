/**
 * Every segment ends in one state: a run whose keys cannot be made past some point
 * (`--start-time 9999999997`: segment start times pass the 13-digit ms key limit during the 6 s clip) must not exit 0 with segments missing.
 */
import t from 'tap';
import { runUpload } from '../../src/cli/commands/upload.js';
import { fileURLToPath } from 'node:url';
import { startS3 } from '../helpers/s3server.js';

function capture() {
  let text = '';
  return {
    write: (s: string) => ((text += s), true),
    get text() {
      return text;
    },
  };
}

t.test('--start-time 9999999997: segments refused by the sink are counted as failed, exit is not 0', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const out = capture();
  const err = capture();
  const code = await runUpload(
    [
      '--input',
      fileURLToPath(new URL('../../assets/demo/clip.h264', import.meta.url)),
      '--fps',
      '25',
      '--prefix',
      'e2e/late',
      '--bucket',
      s3.bucket,
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--progress',
      'plain',
      '--start-time',
      '9999999997',
    ],
    { stdout: out, stderr: err, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
  );
  t.not(code, 0, `exit ${code}: ${err.text} ${out.text}`);
  t.match(err.text, /segment\(s\) failed/, 'the closing line says segments failed');
});
