/**
 * Bounded aggregation for detectors that see the same thing many times (every plaintext
 * request, every contact with an unexplained host): one group per key with a count and
 * the first few evidence frames, so a capture with a million requests still yields one
 * finding per host and rule, published as soon as it forms and updated in place. The number of groups is capped too, since keys come from
 * packet data (host names); groups beyond the cap are counted, never stored.
 * Shared by the DNS, HTTP and policy detectors.
 */
import type { Evidence, Finding, FindingSink } from '../types.js';

/** Evidence frames kept per finding. */
export const MAX_EVIDENCE = 10;
/** Groups kept per aggregator (distinct host/rule keys). */
export const MAX_GROUPS = 256;

export interface Group<T> {
  key: string;
  /** Occurrences, including those whose evidence was not kept. */
  count: number;
  evidence: Evidence[];
  data: T;
}

export class Aggregator<T> {
  private readonly groups = new Map<string, Group<T>>();
  /** Occurrences dropped because the group cap was reached. */
  dropped = 0;

  constructor(private readonly maxGroups = MAX_GROUPS) {}

  /** Records one occurrence; returns its group, or undefined when the cap dropped it. */
  add(key: string, evidence: Evidence | undefined, init: () => T): Group<T> | undefined {
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= this.maxGroups) {
        this.dropped++;
        return undefined;
      }
      g = { key, count: 0, evidence: [], data: init() };
      this.groups.set(key, g);
    }
    g.count++;
    if (evidence) addEvidence(g.evidence, evidence);
    return g;
  }

  get(key: string): Group<T> | undefined {
    return this.groups.get(key);
  }

  /** Groups in insertion order (first seen first). */
  values(): Group<T>[] {
    return [...this.groups.values()];
  }

  get size(): number {
    return this.groups.size;
  }
}

/**
 * Publishes one finding per group as it forms, the way the TLS detectors' FindingBook
 * does: the first publish hands a Finding to the sink (a live view shows it at once),
 * later ones update that same object — title, detail, evidence — as the group grows.
 * Id, host and severity never change after the sink saw them (a group whose severity
 * could change keys on it).
 */
export class Publisher<T> {
  private readonly published = new WeakMap<Group<T>, Finding>();

  constructor(
    private readonly sink: FindingSink,
    private readonly render: (g: Group<T>) => Finding,
  ) {}

  publish(g: Group<T>): void {
    const f = this.render(g);
    const existing = this.published.get(g);
    if (!existing) {
      this.published.set(g, f);
      this.sink(f);
      return;
    }
    existing.title = f.title;
    existing.detail = f.detail;
    existing.evidence = f.evidence;
    existing.fix = f.fix;
  }
}

/** Appends evidence unless the list is full or the same frame already says the same thing. */
export function addEvidence(list: Evidence[], ev: Evidence): void {
  if (list.length >= MAX_EVIDENCE) return;
  if (list.some((e) => e.packet === ev.packet && e.what === ev.what)) return;
  list.push(ev);
}

/** "frame 41" / "frames 41, 97, 160" / "frames 41, 97, … (25 in all)". */
export function framesText(evidence: readonly Evidence[], total = evidence.length): string {
  const frames = [...new Set(evidence.map((e) => e.packet))];
  if (frames.length === 0) return 'no frames';
  const list = frames.join(', ');
  const word = frames.length === 1 && total <= 1 ? 'frame' : 'frames';
  return total > frames.length ? `${word} ${list}, … (${total} in all)` : `${word} ${list}`;
}

/** "1 time" / "3 times". */
export function times(n: number): string {
  return n === 1 ? '1 time' : `${n} times`;
}

/** Emits the info finding that says a detector's group cap dropped occurrences. */
export function reportDropped(sink: FindingSink, detector: string, dropped: number): void {
  if (dropped === 0) return;
  const f: Finding = {
    id: 'findings-capped',
    severity: 'info',
    title: `${detector}: ${dropped} further occurrences not itemised`,
    detail: `The ${detector} detector keeps at most ${MAX_GROUPS} distinct hosts/rules; ${dropped} occurrences for further ones were counted but not reported individually.`,
    evidence: [],
    fix: 'Capture less at once (filter on the Go hosts) to see every finding.',
  };
  sink(f);
}
