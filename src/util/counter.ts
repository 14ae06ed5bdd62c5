/**
 * Counts occurrences by kind ("truncated IPv4 header", "unknown link type 147").
 * Every malformed or unsupported input is counted here rather than thrown, so a
 * summary can say exactly what was skipped and how often.
 */
export class Counter {
  private readonly counts = new Map<string, number>();

  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  /** Kinds sorted by count (descending), then name, for stable output. */
  entries(): [string, number][] {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.entries());
  }
}
