/**
 * One {@link HourIndexWriter} per Uploader, shared by every camera pipeline on it: the composition
 * root (pipeline/camera-pipeline.ts) registers each camera here, so the CLI, the C-style API, the
 * demo and programs that build pipelines all write hour and day indexes without wiring of their
 * own. The writer listens to the uploader's `uploaded` event (all cameras at once), so it belongs
 * to the uploader, not to one camera; a WeakMap keeps it for as long as the uploader lives.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { HourIndexWriter, type UploadedSource } from './hour-index-writer.js';

/** What the shared writer needs of an uploader: its `uploaded` event and its client and bucket. */
export interface IndexedUploader extends UploadedSource {
  readonly store: { readonly client: S3Client; readonly bucket: string };
}

interface Shared {
  readonly writer: HourIndexWriter;
  /** Camera prefix → the `x-amz-tagging` of its index objects (its segments' tags, for retention). */
  readonly tags: Map<string, string>;
  /** Camera prefix → who hears about its failed index writes. */
  readonly listeners: Map<string, Set<(message: string) => void>>;
}

const shared = new WeakMap<IndexedUploader, Shared>();

function sharedFor(uploader: IndexedUploader): Shared {
  let s = shared.get(uploader);
  if (s) return s;
  const tags = new Map<string, string>();
  const listeners = new Map<string, Set<(message: string) => void>>();
  const writer = new HourIndexWriter({
    ...uploader.store,
    taggingFor: (prefix) => tags.get(prefix),
    onError: (message, prefix) => {
      for (const l of listeners.get(prefix) ?? []) l(message);
    },
  });
  writer.attach(uploader);
  s = { writer, tags, listeners };
  shared.set(uploader, s);
  return s;
}

/** A camera's registration with its uploader's shared writer. */
export interface IndexRegistration {
  /** Sets the tags of the camera's index objects (a `k=v&k2=v2` header; undefined: none). */
  readonly setTagging: (tagging: string | undefined) => void;
  /** Stops the camera's error reports (the writer goes on for the uploader's other cameras). */
  readonly unregister: () => void;
}

/**
 * Registers a camera with the shared writer of its uploader (created and attached on first use).
 *
 * @param uploader - the uploader that stores the camera's segments
 * @param prefix - the camera prefix (validated)
 * @param onError - failed index writes of this camera (one sentence, no secrets)
 * @returns the registration
 */
export function registerIndexedCamera(uploader: IndexedUploader, prefix: string, onError: (message: string) => void): IndexRegistration {
  const s = sharedFor(uploader);
  let set = s.listeners.get(prefix);
  if (!set) s.listeners.set(prefix, (set = new Set()));
  set.add(onError);
  return {
    setTagging: (tagging) => {
      if (tagging) s.tags.set(prefix, tagging);
      else s.tags.delete(prefix);
    },
    unregister: () => {
      set.delete(onError);
    },
  };
}

/**
 * Writes the indexes of every hour and day the server clock has closed and waits for the writes in
 * flight, at most `timeoutMs` (an index only makes queries faster: it must never hold up a
 * shutdown). Call before the uploader is closed (its client goes away with it).
 *
 * @param uploader - the uploader
 * @param timeoutMs - the bound, ms
 * @returns true when every write settled in time (also when the uploader has no writer)
 */
export async function closeIndexWriter(uploader: IndexedUploader, timeoutMs: number): Promise<boolean> {
  const s = shared.get(uploader);
  if (!s) return true;
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([s.writer.close().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
  clearTimeout(timer);
  return done;
}
