/**
 * Proof that a 2xx PutObject answer stored our bytes (issue 10 §1): a proxy or a broken gateway can
 * answer 200 and store nothing. The proof is the checksum the server echoes (`x-amz-checksum-*`,
 * which S3 computes from what it received) equal to ours, or — for servers that echo no checksum
 * (s3rver, older S3-compatible servers) — the ETag equal to the MD5 of the body, which holds for a
 * single PUT without SSE-KMS. The MD5 is computed only when it is needed (no checksum echoed, or
 * mode `etag`), so the common S3 path costs nothing beyond a string compare.
 */
import { createHash } from 'node:crypto';
import { ErrorCode } from '../errors.js';
import type { UploadChecksum } from './checksum.js';
import type { FailureInfo } from './classify-error.js';

/**
 * How a 2xx PUT answer is verified.
 * - `auto`: the echoed checksum when the server sends one, otherwise ETag = MD5 (skipped under SSE-KMS,
 *   whose ETags are not MD5s: then an echoed checksum is required).
 * - `checksum`: an echoed checksum equal to ours is required.
 * - `etag`: the ETag must equal the body's MD5.
 * - `off`: any 2xx counts as stored (explicit opt-out for gateways that differ).
 */
export type PutVerifyMode = 'auto' | 'checksum' | 'etag' | 'off';

/** The verify modes, for validation and CLI help. */
export const PUT_VERIFY_MODES: readonly PutVerifyMode[] = ['auto', 'checksum', 'etag', 'off'];

/** The parts of a PutObject answer the proof reads. */
export interface PutAnswer {
  readonly ETag?: string | undefined;
  readonly ChecksumCRC32?: string | undefined;
  readonly ChecksumSHA256?: string | undefined;
}

/**
 * Checks a 2xx PutObject answer.
 * @param mode - the verify mode
 * @param algorithm - the checksum algorithm that was sent
 * @param sent - the base64 checksum that was sent, undefined when none
 * @param answer - the SDK's PutObject output
 * @param parts - the body's bytes (read only for the MD5)
 * @param kms - true under SSE-KMS (ETag is not an MD5)
 * @returns undefined when proven, else a short phrase saying what was missing
 */
export function verifyPutAnswer(
  mode: PutVerifyMode,
  algorithm: UploadChecksum,
  sent: string | undefined,
  answer: PutAnswer,
  parts: readonly Uint8Array[],
  kms: boolean,
): string | undefined {
  if (mode === 'off') return undefined;
  const echoed = algorithm === 'SHA256' ? answer.ChecksumSHA256 : algorithm === 'CRC32' ? answer.ChecksumCRC32 : undefined;
  if (mode !== 'etag' && sent !== undefined && echoed !== undefined) {
    return echoed === sent ? undefined : `echoed ${algorithm} checksum ${echoed} differs from ours ${sent}`;
  }
  if (mode === 'checksum') return `no ${algorithm === 'none' ? '' : `${algorithm} `}checksum echoed in the answer`;
  if (kms && mode === 'auto') return 'no checksum echoed and the ETag of an SSE-KMS object is not an MD5';
  const etag = answer.ETag?.replace(/^"|"$/g, '').toLowerCase();
  if (etag === undefined || etag === '') return 'no checksum echoed and no ETag in the answer';
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  const md5 = h.digest('hex');
  return etag === md5 ? undefined : `no checksum echoed and ETag ${etag} is not the body's MD5 ${md5}`;
}

/**
 * The failure of an unproven 2xx: transient (retried with backoff), code `UNVERIFIED_PUT`.
 * @param missing - what {@link verifyPutAnswer} found missing
 * @param endpoint - the endpoint's name (URL or region; never a credential)
 * @returns the failure description
 */
export function unverifiedPut(missing: string, endpoint: string): FailureInfo {
  return {
    kind: 'transient',
    code: ErrorCode.UnverifiedPut,
    name: 'UnverifiedPut',
    httpStatus: 200,
    message: `PutObject to ${endpoint} answered 2xx without proof the bytes were stored: ${missing}; retrying (use verify 'off' only for a server known to differ)`,
  };
}
