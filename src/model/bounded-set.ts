/**
 * An insertion-ordered set that stops growing at a cap, so a host's lists (names,
 * addresses, ports, JA4s …) stay bounded whatever a capture throws at them. Values
 * beyond the cap are counted, not kept.
 */
export class BoundedSet<T> {
  private readonly items = new Set<T>();
  /** Distinct-or-not values refused because the set was full. */
  overflow = 0;

  constructor(private readonly cap: number) {}

  /** Adds `v`; true when the set changed. */
  add(v: T): boolean {
    if (this.items.has(v)) return false;
    if (this.items.size >= this.cap) {
      this.overflow++;
      return false;
    }
    this.items.add(v);
    return true;
  }

  has(v: T): boolean {
    return this.items.has(v);
  }

  get size(): number {
    return this.items.size;
  }

  toArray(): T[] {
    return [...this.items];
  }
}
