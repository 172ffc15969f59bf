interface Node {
  key: string;
  next: Map<string, Node> | undefined;
}

/** Distinct tuples kept; past it the cache starts over (a key is equal by value, so maps keyed by it still work). */
const MAX_TUPLES = 1 << 17;
let root: Node = { key: '', next: undefined };
let tuples = 0;

function child(parent: Node, part: string, first = false): Node {
  let next = parent.next;
  if (next === undefined) {
    next = new Map();
    parent.next = next;
  }
  let node = next.get(part);
  if (node === undefined) {
    tuples++;
    node = { key: first ? part : `${parent.key}|${part}`, next: undefined };
    next.set(part, node);
  }
  return node;
}

/**
 * `a|b|c|d|e` (as many parts as given): the map key of a detector's per-series state. Each distinct tuple's
 * string is built once and found again part by part, so a lookup per result builds no string (concatenating
 * and hashing a fresh key per result in every detector was a large share of detection's CPU and garbage).
 */
export function joinKey(a: string, b: string, c?: string, d?: string, e?: string): string {
  if (tuples > MAX_TUPLES) {
    root = { key: '', next: undefined };
    tuples = 0;
  }
  let node = child(child(root, a, true), b);
  if (c !== undefined) node = child(node, c);
  if (d !== undefined) node = child(node, d);
  if (e !== undefined) node = child(node, e);
  return node.key;
}
