/** A FrameTarget that records what a source delivered (copies, as the real stream does). */
import type { AudioFramePack, DiscontinuityReason, VideoFramePack } from '../../src/types.js';
import type { FrameTarget } from '../../src/sources/frame-target.js';

export interface Recorded {
  kind: 'video' | 'audio' | 'discontinuity';
  pts?: number;
  dts?: number;
  bytes?: Buffer;
  reason?: DiscontinuityReason;
}

export class Collector implements FrameTarget {
  readonly events: Recorded[] = [];
  #flatten(items: VideoFramePack['items']): Buffer {
    return Buffer.concat(items.flatMap((i) => (i.part2 ? [i.part1, i.part2] : [i.part1])));
  }
  putVideoFrame(pack: VideoFramePack): boolean {
    this.events.push({ kind: 'video', pts: pack.pts90k, dts: pack.dts90k, bytes: this.#flatten(pack.items) });
    return true;
  }
  putAudioFrame(pack: AudioFramePack): boolean {
    this.events.push({ kind: 'audio', pts: pack.pts90k, bytes: this.#flatten(pack.items) });
    return true;
  }
  markDiscontinuity(reason: DiscontinuityReason): void {
    this.events.push({ kind: 'discontinuity', reason });
  }
  get video(): Recorded[] {
    return this.events.filter((e) => e.kind === 'video');
  }
  get audio(): Recorded[] {
    return this.events.filter((e) => e.kind === 'audio');
  }
}
