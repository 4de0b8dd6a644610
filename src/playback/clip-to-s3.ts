/**
 * A clip written to S3 instead of streamed to the caller: the Lambda handler's way (its responses
 * are buffered, at most 6 MB, and API Gateway closes the request after 29 s). The MP4 goes to
 * `<exportsPrefix>/<file name>` by multipart upload, 8 MiB parts (memory: one part), and the answer
 * is a presigned GET URL of it with `Content-Disposition: attachment` baked into the signature.
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomUUID } from 'node:crypto';
import { validatePrefix } from '../keys/object-keys.js';

/** Part size of the clip upload (S3's minimum is 5 MiB for every part but the last). */
export const CLIP_PART_BYTES = 8 * 1024 * 1024;

/** Options of {@link writeClipToS3}. */
export interface ClipToS3Options {
  readonly client: S3Client;
  readonly bucket: string;
  /** Where exports go, e.g. `exports` (give it a lifecycle rule: they are copies). */
  readonly exportsPrefix: string;
  /** The download's file name (also the last part of the key, after a unique folder). */
  readonly fileName: string;
  /** The MP4. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Lifetime of the presigned URL, s. @defaultValue 3600 */
  readonly expiresInSeconds?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Where a clip was written. */
export interface ClipInS3 {
  readonly key: string;
  readonly bytes: number;
  /** Presigned GET, valid `expiresInSeconds`. */
  readonly url: string;
  readonly expiresAt: string;
}

/**
 * Uploads a clip and presigns it. On any failure the multipart upload is aborted (no stray parts
 * are billed) and the error is rethrown.
 *
 * @param o - see {@link ClipToS3Options}
 * @returns the key, size and a presigned URL
 * @throws the SDK's error when S3 refuses; the clip's own error (range, S3 read) when it fails
 */
export async function writeClipToS3(o: ClipToS3Options): Promise<ClipInS3> {
  // A unique folder: two exports of the same range never overwrite each other's download.
  const key = `${validatePrefix(o.exportsPrefix)}/${randomUUID()}/${o.fileName}`;
  const expiresIn = o.expiresInSeconds ?? 3600;
  const opts = { abortSignal: o.signal };
  const created = await o.client.send(new CreateMultipartUploadCommand({ Bucket: o.bucket, Key: key, ContentType: 'video/mp4' }), opts);
  const uploadId = created.UploadId!;
  const parts: { ETag: string; PartNumber: number }[] = [];
  let bytes = 0;
  try {
    let buffered: Buffer[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      const PartNumber = parts.length + 1;
      const r = await o.client.send(new UploadPartCommand({ Bucket: o.bucket, Key: key, UploadId: uploadId, PartNumber, Body: Buffer.concat(buffered, size) }), opts);
      parts.push({ ETag: r.ETag!, PartNumber });
      buffered = [];
      size = 0;
    };
    for await (const chunk of o.chunks) {
      buffered.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      size += chunk.byteLength;
      bytes += chunk.byteLength;
      if (size >= CLIP_PART_BYTES) await flush();
    }
    if (size > 0 || parts.length === 0) await flush();
    await o.client.send(new CompleteMultipartUploadCommand({ Bucket: o.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), opts);
  } catch (e) {
    await o.client.send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: key, UploadId: uploadId })).catch(() => {});
    throw e;
  }
  const signingDate = new Date();
  const url = await getSignedUrl(
    o.client,
    new GetObjectCommand({ Bucket: o.bucket, Key: key, ResponseContentDisposition: `attachment; filename="${o.fileName}"`, ResponseContentType: 'video/mp4' }),
    { expiresIn, signingDate },
  );
  return { key, bytes, url, expiresAt: new Date(signingDate.getTime() + expiresIn * 1000).toISOString() };
}
