/** Each S3 error code is in exactly one class, and the classifier follows that one table. */
import t from 'tap';
import { classifyPutError, S3_ERROR_KINDS } from '../../src/upload/classify-error.js';

t.test('BadDigest is retryable only, and every listed code classifies as its one class', async (t) => {
  t.equal(S3_ERROR_KINDS.get('BadDigest'), 'transient');
  t.equal(classifyPutError({ Code: 'BadDigest', $metadata: { httpStatusCode: 400 } }, false).kind, 'transient', 'a 400 BadDigest is retried');
  t.equal(classifyPutError({ Code: 'InvalidDigest', $metadata: { httpStatusCode: 400 } }, false).kind, 'permanent');
  for (const [code, kind] of S3_ERROR_KINDS) {
    // A 400 status must not override the table's class.
    t.equal(classifyPutError({ Code: code, $metadata: { httpStatusCode: 400 } }, false).kind, kind, `${code} → ${kind}`);
  }
});
