/** A growable ring buffer: O(1) at both ends, for the result buffer's FIFO with put-back. */
export class Deque<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  pushBack(item: T): void {
    this.grow();
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
  }

  pushFront(item: T): void {
    this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = item;
    this.size++;
  }

  popFront(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }

  peekFront(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  private grow(): void {
    if (this.size < this.items.length) return;
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
