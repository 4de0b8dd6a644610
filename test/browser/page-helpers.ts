/**
 * What the player page test does on the page and in the bucket: seeding segments at chosen wall-clock
 * times, the x offset of a time on a timeline row, waiting for a seek to land, and the clock text
 * the page should show (computed independently, with Intl).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { segmentKey } from '../../src/keys/object-keys.js';
import type { MadeSegment } from './browser-fixtures.js';

/** A seek as the page records it (window.s3hlsPlayer.lastSeek). */
export interface Seek {
  targetMs: number;
  position: number;
  landedMs: number | null;
}
/** A layout box, px. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** 'YYYY-MM-DD HH:MM:SS ZONE' as the page writes it, computed here with Intl. */
export function wallText(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  const p = (type: string): string => parts.find((x) => x.type === type)!.value;
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')} ${timeZone === 'UTC' ? 'UTC' : p('timeZoneName')}`;
}

/** Uploads one segment under the key of a segment starting at `startTimeMs`. */
export async function upload(client: S3Client, bucket: string, prefix: string, seg: MadeSegment, startTimeMs: number, discontinuity: boolean): Promise<void> {
  const Key = segmentKey(prefix, { startTimeMs, sequence: seg.sequence, durationMs: seg.durationMs, discontinuity });
  await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: seg.bytes, ContentType: 'video/mp2t' }));
}

/** Uploads segments [from, to) back to back from `startMs`. */
export async function seed(client: S3Client, bucket: string, prefix: string, segs: MadeSegment[], from: number, to: number, startMs: number): Promise<void> {
  let at = startMs;
  const jobs: Promise<void>[] = [];
  for (let i = from; i < to; i++) {
    jobs.push(upload(client, bucket, prefix, segs[i], at, i === from));
    at += segs[i].durationMs;
  }
  await Promise.all(jobs);
}

/** The x offset inside a row's track of a wall-clock time, from the view the track reports. */
export async function xOf(page: Page, camera: string, ms: number): Promise<{ x: number; box: Box }> {
  const track = page.locator(`.tl-row[data-camera="${camera}"] .tl-track`);
  // The rows are redrawn when their spans arrive: on a loaded machine the track can be between two
  // drawings (detached, or no box yet) for a moment, so measure again until it is laid out (bounded).
  for (let i = 0; i < 50; i++) {
    try {
      await track.scrollIntoViewIfNeeded({ timeout: 2_000 });
      const box = await track.boundingBox();
      if (box !== null) {
        const v0 = Number(await track.getAttribute('data-view-start'));
        const v1 = Number(await track.getAttribute('data-view-end'));
        return { x: ((ms - v0) / (v1 - v0)) * box.width, box };
      }
    } catch (e) {
      if (!/not attached|detached/i.test(String(e))) throw e;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`the ${camera} row's track has no layout box after 50 tries`);
}

/** The page's last seek, or null before the first. */
export function lastSeek(page: Page): Promise<Seek | null> {
  return page.evaluate(() => (window as unknown as { s3hlsPlayer: { lastSeek: Seek | null } }).s3hlsPlayer.lastSeek);
}

/** Waits for a seek to `near` (±tolerance) to have landed; returns it. */
export async function landedNear(page: Page, near: number, toleranceMs: number): Promise<Seek> {
  await page.waitForFunction(
    ([n, tol]) => {
      const s = (window as unknown as { s3hlsPlayer: { lastSeek: Seek | null } }).s3hlsPlayer.lastSeek;
      return s !== null && s.landedMs !== null && Math.abs(s.targetMs - n) <= tol;
    },
    [near, toleranceMs],
    { timeout: 20_000 },
  );
  return (await lastSeek(page))!;
}
