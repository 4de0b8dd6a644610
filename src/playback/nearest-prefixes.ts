/**
 * "Did you mean": the prefixes that do exist next to one that holds nothing, for `s3hls playlist`
 * on a mistyped camera folder. Looks at the siblings (the parent's folders), then one level up.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { listCameras } from '../playlist/segment-index.js';

/** Levenshtein distance, small strings only (folder names). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

/**
 * Up to `max` existing prefixes nearest to `prefix`: siblings sorted by edit distance to its last
 * part; when the parent holds nothing, the grandparent's folders.
 *
 * @param client - S3 client
 * @param bucket - the bucket
 * @param prefix - the prefix that holds nothing (validated)
 * @param max - how many to return @defaultValue 5
 * @returns full prefixes, nearest first (empty when the bucket holds nothing near)
 */
export async function nearestPrefixes(client: S3Client, bucket: string, prefix: string, max = 5): Promise<string[]> {
  const parts = prefix.split('/');
  for (let up = 1; up <= 2 && parts.length - up >= 1; up++) {
    const parent = parts.slice(0, parts.length - up).join('/');
    const wanted = parts[parts.length - up];
    const names = await listCameras({ client, bucket, rootPrefix: parent, maxCameras: 200 });
    if (names.length === 0) continue;
    return names
      .map((n) => ({ n, d: distance(n.toLowerCase(), wanted.toLowerCase()) }))
      .sort((x, y) => x.d - y.d || x.n.localeCompare(y.n))
      .slice(0, max)
      .map((x) => `${parent}/${x.n}`);
  }
  // Nothing under any parent: the top-level folders of the bucket (the prefix may be wrong from its start).
  const top = await listCameras({ client, bucket, rootPrefix: parts[0], maxCameras: max }).catch(() => []);
  return top.map((n) => `${parts[0]}/${n}`);
}
