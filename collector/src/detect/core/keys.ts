interface Node {
  key: string;
  next: Map<string, Node> | undefined;
  /**
   * The child found last, checked before the map: consecutive results share most parts (a batch is one
   * probe's, so its region; one target), and comparing a part costs less than hashing it into a map lookup.
   */
  lastPart: string | undefined;
  lastChild: Node | undefined;
}

/** Distinct tuples kept; past it the cache starts over (a key is equal by value, so maps keyed by it still work). */
const MAX_TUPLES = 1 << 17;
let root = node('');
let tuples = 0;

function node(key: string): Node {
  return { key, next: undefined, lastPart: undefined, lastChild: undefined };
}

function child(parent: Node, part: string, first = false): Node {
  if (parent.lastPart === part) return parent.lastChild as Node;
  let next = parent.next;
  if (next === undefined) {
    next = new Map();
    parent.next = next;
  }
  let found = next.get(part);
  if (found === undefined) {
    tuples++;
    found = node(first ? part : `${parent.key}|${part}`);
    next.set(part, found);
  }
  parent.lastPart = part;
  parent.lastChild = found;
  return found;
}

/**
 * `a|b|c|d|e` (as many parts as given): the map key of a detector's per-series state. Each distinct tuple's
 * string is built once and found again part by part, so a lookup per result builds no string (concatenating
 * and hashing a fresh key per result in every detector was a large share of detection's CPU and garbage).
 */
export function joinKey(a: string, b: string, c?: string, d?: string, e?: string): string {
  if (tuples > MAX_TUPLES) {
    root = node('');
    tuples = 0;
  }
  let at = child(child(root, a, true), b);
  if (c !== undefined) at = child(at, c);
  if (d !== undefined) at = child(at, d);
  if (e !== undefined) at = child(at, e);
  return at.key;
}
