/**
 * An intrusive doubly linked list ordering flows by last activity (least recent first).
 * Touching a flow on every packet must be O(1) and cheap: re-inserting into a Map to
 * keep its insertion order was measured at roughly twice the cost of the lookup itself
 * (tombstones force periodic rehashing), while relinking two pointers costs nothing.
 */

export interface RecencyNode<T> {
  prev: T | null;
  next: T | null;
}

export class RecencyList<T extends RecencyNode<T>> {
  head: T | null = null;
  private tail: T | null = null;

  /** Append a node that is in no list. */
  push(n: T): void {
    n.prev = this.tail;
    n.next = null;
    if (this.tail === null) this.head = n;
    else this.tail.next = n;
    this.tail = n;
  }

  remove(n: T): void {
    if (n.prev === null) this.head = n.next;
    else n.prev.next = n.next;
    if (n.next === null) this.tail = n.prev;
    else n.next.prev = n.prev;
    n.prev = null;
    n.next = null;
  }

  /** Mark a node of this list as the most recently active. */
  touch(n: T): void {
    if (this.tail === n) return;
    this.remove(n);
    this.push(n);
  }
}
