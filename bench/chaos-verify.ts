/**
 * The chaos run's verdict: every object in the bucket is read back through the S3 API and its
 * sha256 compared with what the camera processes journaled when they muxed it. Each journaled
 * segment ends up in exactly one class: stored (identical), corrupted (stored, different bytes),
 * lost at the SIGKILL (handed out by the killed process, its spool write not complete, never
 * acknowledged: the documented write-ahead window), or missing (anything else: a failure).
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readJournal, type SegLine } from './chaos-journal.js';

/** What the chaos run found. */
export interface ChaosVerdict {
  /** Segments the streams handed out (journaled), all runs. */
  readonly produced: number;
  /** Journaled segments stored under their key with identical bytes. */
  readonly stored: number;
  /** Groups of objects with identical bytes under different keys (each group counted once). */
  readonly storedTwiceUnderDifferentKeys: number;
  /** Journaled segments neither stored nor explained by the kill. */
  readonly missing: number;
  /** Stored under their key with different bytes. */
  readonly corrupted: number;
  /** Objects in the bucket that no journal lists. */
  readonly unexpected: number;
  /** What the SIGKILL cost (only the killed run). */
  readonly lostAtKill: {
    /** Per camera: frames fed to the stream but in no handed-out segment at the last progress line (the open segment; the line is ≤ 20 ms older than the kill). */
    readonly openSegmentFrames: Readonly<Record<string, number>>;
    /** Handed out in the last moment, spool write not complete, not acknowledged: gone with the process. */
    readonly handedOutNotOnDisk: number;
  };
  /** Frames the streams dropped, by reason code (pool full while the spool could not keep up, bad input). */
  readonly streamDroppedFrames: Readonly<Record<string, number>>;
  /** Segments the spool refused or deleted by its quota policy, by reason (runs that finished). */
  readonly spoolDropped: Readonly<Record<string, number>>;
  /** Damaged spool files set aside on recovery. */
  readonly spoolDamaged: number;
  /** Segments recovered from the spool by a later run. */
  readonly spoolRecovered: number;
  readonly bytesStored: number;
  /** Up to 20 keys of each failure class, for the report. */
  readonly examples: {
    readonly missing: readonly string[];
    readonly corrupted: readonly string[];
    readonly duplicates: readonly string[][];
    readonly unexpected: readonly string[];
  };
}

async function listAll(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** What the journals say: every segment produced, what was spooled, dropped and fed. */
interface JournalFacts {
  readonly segs: Map<string, SegLine>;
  readonly spooled: Set<string>;
  readonly streamDropped: Record<string, number>;
  readonly spoolDropped: Record<string, number>;
  spoolDamaged: number;
  spoolRecovered: number;
  /** Frames fed per camera by the killed run, as last journaled. */
  lastFed: Readonly<Record<string, number>>;
  readonly framesInSegsOfKilled: Record<string, number>;
  readonly framesDroppedOfKilled: Record<string, number>;
}

function readJournals(journals: readonly string[], killedRun: number | undefined): JournalFacts {
  const f: JournalFacts = {
    segs: new Map(),
    spooled: new Set(),
    streamDropped: {},
    spoolDropped: {},
    spoolDamaged: 0,
    spoolRecovered: 0,
    lastFed: {},
    framesInSegsOfKilled: {},
    framesDroppedOfKilled: {},
  };
  for (const path of journals) {
    for (const line of readJournal(path)) {
      if (line.t === 'seg') {
        f.segs.set(line.key, line);
        if (line.run === killedRun) f.framesInSegsOfKilled[line.camera] = (f.framesInSegsOfKilled[line.camera] ?? 0) + line.videoFrames;
      } else if (line.t === 'spooled') f.spooled.add(line.key);
      else if (line.t === 'drop') {
        f.streamDropped[line.code] = (f.streamDropped[line.code] ?? 0) + line.frames;
        if (line.run === killedRun) f.framesDroppedOfKilled[line.camera] = (f.framesDroppedOfKilled[line.camera] ?? 0) + line.frames;
      } else if (line.t === 'progress' && line.run === killedRun) f.lastFed = line.framesFed;
      else if (line.t === 'done') {
        for (const [k, v] of Object.entries(line.spoolDropped)) f.spoolDropped[k] = (f.spoolDropped[k] ?? 0) + v;
        f.spoolDamaged += line.spoolDamaged;
        f.spoolRecovered += line.spoolRecovered;
      }
    }
  }
  return f;
}

/** Every object of the bucket, read back through the API: key → sha256, and the bytes stored. */
async function readBucket(client: S3Client, bucket: string): Promise<{ shaOfKey: Map<string, string>; bytesStored: number }> {
  const keys = await listAll(client, bucket);
  const shaOfKey = new Map<string, string>();
  let bytesStored = 0;
  // A few GETs at once: s3rver serves from disk; the point is to read what the API returns.
  for (let i = 0; i < keys.length; i += 4) {
    await Promise.all(
      keys.slice(i, i + 4).map(async (key) => {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await got.Body!.transformToByteArray();
        bytesStored += bytes.byteLength;
        shaOfKey.set(key, createHash('sha256').update(bytes).digest('hex'));
      }),
    );
  }
  return { shaOfKey, bytesStored };
}

/**
 * Reads the bucket back and classifies every journaled segment.
 *
 * @param journals - journal files, in run order
 * @param client - a client talking to the server directly (not through the fault proxy)
 * @param bucket - the bucket
 * @param killedRun - the run number that was SIGKILLed, if any
 * @returns the verdict
 */
export async function verifyChaos(journals: readonly string[], client: S3Client, bucket: string, killedRun: number | undefined): Promise<ChaosVerdict> {
  const f = readJournals(journals, killedRun);
  const { segs, spooled } = f;
  const { shaOfKey, bytesStored } = await readBucket(client, bucket);

  let stored = 0;
  let corrupted = 0;
  let missing = 0;
  let handedOutNotOnDisk = 0;
  const ex = { missing: [] as string[], corrupted: [] as string[], duplicates: [] as string[][], unexpected: [] as string[] };
  for (const [key, seg] of segs) {
    const sha = shaOfKey.get(key);
    if (sha === seg.sha256) stored++;
    else if (sha !== undefined) {
      corrupted++;
      if (ex.corrupted.length < 20) ex.corrupted.push(key);
    } else if (seg.run === killedRun && !spooled.has(key)) handedOutNotOnDisk++;
    else {
      missing++;
      if (ex.missing.length < 20) ex.missing.push(key);
    }
  }
  const keysBySha = new Map<string, string[]>();
  for (const [key, sha] of shaOfKey) {
    const list = keysBySha.get(sha);
    if (list) list.push(key);
    else keysBySha.set(sha, [key]);
    if (!segs.has(key) && ex.unexpected.length < 20) ex.unexpected.push(key);
  }
  let dupGroups = 0;
  for (const list of keysBySha.values()) {
    if (list.length < 2) continue;
    dupGroups++;
    if (ex.duplicates.length < 20) ex.duplicates.push(list);
  }
  const openSegmentFrames: Record<string, number> = {};
  for (const [cam, fed] of Object.entries(f.lastFed)) openSegmentFrames[cam] = Math.max(0, fed - (f.framesInSegsOfKilled[cam] ?? 0) - (f.framesDroppedOfKilled[cam] ?? 0));
  return {
    produced: segs.size,
    stored,
    storedTwiceUnderDifferentKeys: dupGroups,
    missing,
    corrupted,
    unexpected: [...shaOfKey.keys()].filter((k) => !segs.has(k)).length,
    lostAtKill: { openSegmentFrames, handedOutNotOnDisk },
    streamDroppedFrames: f.streamDropped,
    spoolDropped: f.spoolDropped,
    spoolDamaged: f.spoolDamaged,
    spoolRecovered: f.spoolRecovered,
    bytesStored,
    examples: ex,
  };
}
