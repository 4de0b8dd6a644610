/**
 * `s3hls upload` spool flags and cameras.json spool keys → the plan (pure: no S3, no disk).
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseUploadArgs } from '../../src/cli/upload-options.js';

const base = ['--input', 'in.h264', '--fps', '25', '--bucket', 'footage', '--prefix', 'cams/a'];

t.test('--spool, --spool-max-bytes, --spool-order', async (t) => {
  const plan = parseUploadArgs([...base, '--spool', 'sp', '--spool-max-bytes', '20G', '--spool-order', 'oldest-first']);
  t.same(plan.cameras[0].spool, { dir: resolve('sp'), maxBytes: 20 * 1024 ** 3 });
  t.equal(plan.spoolOrder, 'oldest-first');
  t.same(parseUploadArgs([...base, '--spool', 'sp']).cameras[0].spool, { dir: resolve('sp'), maxBytes: 1024 ** 3 }, 'default quota 1 GiB');
  t.equal(parseUploadArgs(base).cameras[0].spool, undefined, 'no spool unless asked');
  t.throws(() => parseUploadArgs([...base, '--spool-max-bytes', '1G']), /--spool-max-bytes needs --spool DIR/);
  t.throws(() => parseUploadArgs([...base, '--spool', 'sp', '--spool-max-bytes', '512K']), /spool-max-bytes must be at least 1M/);
  t.throws(() => parseUploadArgs([...base, '--spool', 'sp', '--spool-order', 'newest']), /--spool-order must be live-first or oldest-first/);
});

t.test('cameras.json: top-level spool, per-camera override and opt-out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-spool-opts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'cams.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      bucket: 'footage',
      spool: '/var/spool/s3hls',
      spoolMaxBytes: '8G',
      cameras: [
        { id: 'a', input: 'a.h264', fps: '25' },
        { id: 'b', input: 'b.h264', fps: '25', spool: '/mnt/disk2/spool', spoolMaxBytes: 1073741824 },
        { id: 'c', input: 'c.h264', fps: '25', spool: false },
      ],
    }),
  );
  const plan = parseUploadArgs(['--config', cfg]);
  t.same(
    plan.cameras.map((c) => c.spool),
    [{ dir: '/var/spool/s3hls', maxBytes: 8 * 1024 ** 3 }, { dir: '/mnt/disk2/spool', maxBytes: 1024 ** 3 }, undefined],
  );
  writeFileSync(cfg, JSON.stringify({ bucket: 'footage', cameras: [{ id: 'a', input: 'a.h264', spool: 3 }] }));
  t.throws(() => parseUploadArgs(['--config', cfg]), /config cameras\[0\]\.spool must be a directory or false, got 3/);
});
