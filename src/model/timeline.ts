/**
 * The bounded timeline: a ring of the most recent entries plus a count of those pushed
 * out, so a day-long capture costs the same memory as a minute. Entries arrive in
 * pipeline order, which is not quite capture order (findings are often emitted when a
 * flow or the capture ends, with earlier evidence), so a snapshot sorts them.
 */
import type { TimelineEntry } from './types.js';

/** At the same frame, what the frame shows comes before the finding it proves. */
const findingLast = (e: TimelineEntry): number => (e.kind === 'finding' ? 1 : 0);

export class Timeline {
  private readonly ring: TimelineEntry[] = [];
  private next = 0;
  private sorted: TimelineEntry[] | undefined = [];
  dropped = 0;

  constructor(private readonly cap: number) {}

  push(entry: TimelineEntry): void {
    if (this.cap <= 0) {
      this.dropped++;
      return;
    }
    if (this.ring.length < this.cap) this.ring.push(entry);
    else {
      this.ring[this.next] = entry;
      this.next = (this.next + 1) % this.cap;
      this.dropped++;
    }
    this.sorted = undefined;
  }

  /** Entries by capture time, then frame; the same array until the next push. */
  entries(): TimelineEntry[] {
    this.sorted ??= Object.freeze([...this.ring].sort((a, b) => a.ts - b.ts || a.packet - b.packet || findingLast(a) - findingLast(b))) as TimelineEntry[];
    return this.sorted;
  }
}
