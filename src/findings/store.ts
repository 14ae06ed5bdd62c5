/**
 * The one findings store. Detectors see the same thing many times (every connection to an
 * intercepted host, every plaintext request), so findings aggregate per key with a count
 * and the first evidence frames — a capture with a million requests still yields one
 * finding per host and rule — and they are published as soon as they form (a live view
 * shows them at once). A published finding is never mutated: an update is a new frozen
 * version with the same key and version + 1, which consumers (the model) put in place of
 * the old one. Id, host and severity are part of every key, so a key never changes
 * severity after consumers counted it. Updates are coalesced: the first version goes out
 * at once, later ones are rendered when someone looks (`flush`: before a model snapshot,
 * at the end) — a million occurrences cost a million counter bumps, not a million
 * renderings.
 *
 * Bounded: evidence per finding, groups per detector scope (keys come from packet data);
 * what a cap drops is counted and reported at the end as one `findings-capped` finding
 * per scope.
 */
import { msg, plainText } from './message.js';
import type { Evidence, Finding, FindingDraft, FindingSink } from './types.js';

/** Evidence frames kept per finding. */
export const MAX_EVIDENCE = 10;
/** Groups kept per detector scope (distinct host/rule keys). */
export const MAX_GROUPS = 2000;

export interface Group<T> {
  key: string;
  /** Occurrences, including those whose evidence was not kept. */
  count: number;
  evidence: Evidence[];
  data: T;
}

/** Appends evidence unless the list is full or the same frame already says the same thing. */
export function addEvidence(list: Evidence[], ev: Evidence): void {
  if (list.length >= MAX_EVIDENCE) return;
  if (list.some((e) => e.packet === ev.packet && e.what === ev.what)) return;
  list.push(Object.isFrozen(ev) ? ev : Object.freeze({ ...ev }));
}

/** A bounded, insertion-ordered map of groups; what the cap drops is counted. */
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

function freeze(draft: FindingDraft, evidence: readonly Evidence[], key: string, version: number): Finding {
  const frames = [...new Set(evidence.map((e) => e.packet))];
  return Object.freeze({
    id: draft.id,
    severity: draft.severity,
    title: plainText(draft.title),
    detail: plainText(draft.detail),
    host: draft.host,
    evidence: Object.freeze(evidence.map((e) => (Object.isFrozen(e) ? e : Object.freeze({ ...e })))),
    fix: plainText(draft.fix),
    text: Object.freeze({ title: draft.title, detail: draft.detail, fix: draft.fix }),
    values: Object.freeze({ ...(draft.host !== undefined ? { host: draft.host } : {}), ...draft.values, frames }),
    key,
    version,
  });
}

function sameFinding(a: Finding, b: Finding): boolean {
  return (
    a.title === b.title &&
    a.detail === b.detail &&
    a.fix === b.fix &&
    a.evidence.length === b.evidence.length &&
    a.evidence.every((e, i) => e.packet === b.evidence[i]?.packet && e.what === b.evidence[i]?.what)
  );
}

/** One detector's view of the store: its keys, its caps, its drop count. */
export class FindingScope {
  /** Occurrences not itemised because a cap of this scope was hit. */
  dropped = 0;
  private readonly aggregators: Aggregator<unknown>[] = [];
  private readonly book = new Aggregator<{ draft: FindingDraft }>();

  constructor(
    private readonly store: FindingStore,
    /** Used in keys and in the findings-capped wording ("policy", "TLS certificate"). */
    readonly label: string,
  ) {}

  /** A bounded group map whose drops count as this scope's. */
  aggregator<T>(maxGroups = MAX_GROUPS): Aggregator<T> {
    const a = new Aggregator<T>(maxGroups);
    this.aggregators.push(a as Aggregator<unknown>);
    return a;
  }

  /**
   * A publish function for groups: the group's finding goes out now, its updates when the
   * store is flushed. `evidenceOf` chooses the frames (default: the group's).
   */
  publisher<T>(render: (g: Group<T>) => FindingDraft, evidenceOf: (g: Group<T>) => readonly Evidence[] = (g) => g.evidence): (g: Group<T>) => void {
    return (g) => this.store.update(`${this.label}\u0000${g.key}`, () => render(g), () => evidenceOf(g));
  }

  /** Publishes (a new version of) the finding for `key` with this draft and evidence, now. */
  publish(key: string, draft: FindingDraft, evidence: readonly Evidence[]): void {
    this.store.publish(`${this.label}\u0000${key}`, draft, evidence);
  }

  /**
   * One observation of a finding whose identity is (id, host, severity): the first is
   * published as is, later ones add their evidence and the count of connections.
   */
  report(draft: FindingDraft, evidence: readonly Evidence[]): void {
    const key = `${draft.id}\u0000${draft.host ?? ''}\u0000${draft.severity}`;
    const g = this.book.add(key, undefined, () => ({ draft }));
    if (!g) return;
    for (const e of evidence) addEvidence(g.evidence, e);
    this.store.update(
      `${this.label}\u0000${key}`,
      () => {
        const first = g.data.draft;
        const detail =
          g.count === 1 ? first.detail : msg`${first.detail} Seen in ${g.count} connections${g.count > MAX_EVIDENCE ? ' (evidence lists the first frames)' : ''}.`;
        return { ...first, detail, values: { ...first.values, count: g.count } };
      },
      () => g.evidence,
    );
  }

  /** Drops of every cap of this scope. */
  totalDropped(): number {
    return this.dropped + this.book.dropped + this.aggregators.reduce((n, a) => n + a.dropped, 0);
  }
}

interface Pending {
  draft: () => FindingDraft;
  evidence: () => readonly Evidence[];
}

export class FindingStore {
  private readonly latest = new Map<string, Finding>();
  private readonly scopes: FindingScope[] = [];
  /** Keys whose finding changed since it was last published, with how to render it then. */
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly sink: FindingSink) {}

  /** The first occurrence of `key` is published now; later ones wait for `flush`. */
  update(key: string, draft: () => FindingDraft, evidence: () => readonly Evidence[]): void {
    if (this.latest.has(key)) this.pending.set(key, { draft, evidence });
    else this.publish(key, draft(), evidence());
  }

  /** Publishes every finding that changed since its last version. */
  flush(): void {
    if (this.pending.size === 0) return;
    const due = [...this.pending];
    this.pending.clear();
    for (const [key, p] of due) this.publish(key, p.draft(), p.evidence());
  }

  scope(label: string): FindingScope {
    const s = new FindingScope(this, label);
    this.scopes.push(s);
    return s;
  }

  publish(key: string, draft: FindingDraft, evidence: readonly Evidence[]): void {
    this.pending.delete(key);
    const prev = this.latest.get(key);
    const next = freeze(draft, evidence.slice(0, MAX_EVIDENCE), key, (prev?.version ?? 0) + 1);
    if (prev && sameFinding(prev, next)) return;
    this.latest.set(key, next);
    this.sink(next);
  }

  /** The latest version of every finding (pending updates published first), in first-publication order. */
  findings(): Finding[] {
    this.flush();
    return [...this.latest.values()];
  }

  /** End of capture: pending updates, then one findings-capped note per scope whose caps dropped occurrences. */
  finish(): void {
    this.flush();
    for (const s of this.scopes) {
      const dropped = s.totalDropped();
      if (dropped === 0) continue;
      this.publish(
        `capped\u0000${s.label}`,
        {
          id: 'findings-capped',
          severity: 'info',
          title: msg`${s.label}: ${dropped} further occurrences not itemised`,
          detail: msg`The ${s.label} detector keeps at most ${MAX_GROUPS} distinct hosts/rules; ${dropped} occurrences for further ones were counted but not reported individually.`,
          fix: msg`Capture less at once (filter on the Go hosts) to see every finding.`,
          values: { count: dropped },
        },
        [],
      );
    }
  }
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
