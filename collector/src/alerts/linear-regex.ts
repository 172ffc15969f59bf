/**
 * A regular-expression matcher that runs in time linear in the input (RE2's guarantee), for silence
 * matchers: their patterns come from operators and the labels they test come from probes, so a
 * backtracking engine (`(a+)+` against 30 characters) could stall the collector's event loop.
 *
 * The pattern compiles to a Thompson NFA that is simulated one input character at a time over the set
 * of live states: O(input length x states), no backtracking. Supported, as in RE2: literals, `.`,
 * classes (`[a-z0-9_]`, `[^-]`, `\d \w \s` and their negations), groups `(...)` and `(?:...)`,
 * alternation `|`, `* + ?` (a trailing `?` for laziness is accepted; it does not change whether a value
 * matches) and counted repetition `{m}`, `{m,}`, `{m,n}` up to 100. The match is anchored at both ends
 * (Alertmanager semantics), so a leading `^` and a trailing `$` are accepted and change nothing.
 * Backreferences, lookaround and inline flags cannot run in linear time or are not needed: refused.
 */

/** Compiled states beyond this are refused: bounds the per-character work (`(a{100}){100}`). */
const MAX_STATES = 2000;
const MAX_REPEAT = 100;

type Ranges = readonly (readonly [number, number])[];
interface CharClass {
  ranges: Ranges;
  negate: boolean;
}
type Node =
  | { t: 'char'; cls: CharClass }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: Ranges = [
  [9, 10],
  [12, 13],
  [32, 32],
];
const NEWLINE: Ranges = [[10, 10]];

export class PatternError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    if (this.src.startsWith('^')) this.pos = 1;
    const node = this.alternation();
    if (this.pos < this.src.length) this.fail(`unexpected "${this.src[this.pos]}"`);
    return node;
  }

  private fail(why: string): never {
    throw new PatternError(`${why} at position ${this.pos}`);
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      if (c === '$' && this.pos === this.src.length - 1) {
        this.pos++;
        break;
      }
      items.push(this.repetition());
    }
    return { t: 'cat', items };
  }

  private repetition(): Node {
    const atom = this.atom();
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') [min, max] = this.counted();
    else return atom;
    if (c !== '{') this.pos++;
    if (this.peek() === '?') this.pos++;
    if ('*+?{'.includes(this.peek() ?? '-')) this.fail('repetition of a repetition');
    return { t: 'rep', node: atom, min, max };
  }

  private counted(): [number, number] {
    const m = /^\{(\d{1,6})(,(\d{1,6})?)?\}/.exec(this.src.slice(this.pos));
    if (!m?.[1]) this.fail('"{" must start a count like {2}, {2,} or {2,5}');
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? Number.POSITIVE_INFINITY : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT))
      this.fail(`counts above ${MAX_REPEAT} are not supported`);
    if (max < min) this.fail('count maximum below its minimum');
    this.pos += m[0].length;
    return [min, max];
  }

  private atom(): Node {
    const c = this.peek() as string;
    if (c === '(') {
      this.pos++;
      if (this.peek() === '?') {
        if (this.src[this.pos + 1] !== ':') this.fail('lookaround and inline flags are not supported');
        this.pos += 2;
      }
      const inner = this.alternation();
      if (this.peek() !== ')') this.fail('missing ")"');
      this.pos++;
      return inner;
    }
    if ('*+?{'.includes(c)) this.fail(`nothing to repeat before "${c}"`);
    if (c === '^' || c === '$')
      this.fail(`"${c}" is only allowed at the start or end (matches are anchored)`);
    this.pos++;
    if (c === '.') return { t: 'char', cls: { ranges: NEWLINE, negate: true } };
    if (c === '[') return { t: 'char', cls: this.charClass() };
    if (c === '\\') return { t: 'char', cls: this.escape(false) };
    return literal(c);
  }

  private charClass(): CharClass {
    const negate = this.peek() === '^';
    if (negate) this.pos++;
    const ranges: (readonly [number, number])[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing "]"');
      if (c === ']' && !first) break;
      first = false;
      this.pos++;
      if (c === '\\') {
        const e = this.escape(true);
        if (e.negate) this.fail('negated escapes (\\D, \\W, \\S) are not supported inside [...]');
        ranges.push(...e.ranges);
        continue;
      }
      const lo = c.codePointAt(0) as number;
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.src[this.pos + 1] !== undefined) {
        this.pos++;
        const hiChar = this.peek() as string;
        if (hiChar === '\\') this.fail('escapes cannot end a range');
        this.pos++;
        const hi = hiChar.codePointAt(0) as number;
        if (hi < lo) this.fail('range out of order');
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    this.pos++;
    return { ranges, negate };
  }

  private escape(inClass: boolean): CharClass {
    const c = this.peek();
    if (c === undefined) this.fail('trailing "\\"');
    this.pos++;
    const named: Record<string, Ranges> = { d: DIGIT, w: WORD, s: SPACE };
    const lower = c.toLowerCase();
    if (named[lower]) return { ranges: named[lower], negate: c !== lower };
    if (/[0-9A-Za-z]/.test(c))
      this.fail(`"\\${c}" is not supported${inClass ? '' : ' (no backreferences or anchors)'}`);
    return literal(c).cls;
  }
}

function literal(c: string): { t: 'char'; cls: CharClass } {
  const code = c.codePointAt(0) as number;
  return { t: 'char', cls: { ranges: [[code, code]], negate: false } };
}

/** NFA states: a character test leading to `next`, a split into two, or the accepting state. */
type State =
  | { kind: 'char'; cls: CharClass; next: number }
  | { kind: 'split'; a: number; b: number }
  | { kind: 'match' };

class Builder {
  readonly states: State[] = [{ kind: 'match' }];

  private add(s: State): number {
    if (this.states.length >= MAX_STATES)
      throw new PatternError(`pattern expands to more than ${MAX_STATES} states`);
    this.states.push(s);
    return this.states.length - 1;
  }

  /** Compiles `node` so that it continues at `next`; returns its first state. Built back to front. */
  compile(node: Node, next: number): number {
    switch (node.t) {
      case 'char':
        return this.add({ kind: 'char', cls: node.cls, next });
      case 'cat': {
        let cur = next;
        for (let i = node.items.length - 1; i >= 0; i--) cur = this.compile(node.items[i] as Node, cur);
        return cur;
      }
      case 'alt': {
        let cur = this.compile(node.items[node.items.length - 1] as Node, next);
        for (let i = node.items.length - 2; i >= 0; i--)
          cur = this.add({ kind: 'split', a: this.compile(node.items[i] as Node, next), b: cur });
        return cur;
      }
      case 'rep': {
        let cur = next;
        if (node.max === Number.POSITIVE_INFINITY) {
          const loop = this.add({ kind: 'split', a: -1, b: next });
          (this.states[loop] as { a: number }).a = this.compile(node.node, loop);
          cur = loop;
        } else {
          for (let i = node.min; i < node.max; i++)
            cur = this.add({ kind: 'split', a: this.compile(node.node, cur), b: next });
        }
        for (let i = 0; i < node.min; i++) cur = this.compile(node.node, cur);
        return cur;
      }
    }
  }
}

function inClass(cls: CharClass, code: number): boolean {
  let hit = false;
  for (const [lo, hi] of cls.ranges) {
    if (code >= lo && code <= hi) {
      hit = true;
      break;
    }
  }
  return hit !== cls.negate;
}

/** A compiled pattern; `test` decides whether the whole value matches, in linear time. */
export class LinearRegex {
  private readonly states: State[];
  private readonly start: number;
  private readonly mark: Uint32Array;
  private generation = 0;

  /** Throws PatternError naming what is unsupported or malformed. */
  constructor(pattern: string) {
    const builder = new Builder();
    this.start = builder.compile(new Parser(pattern).parse(), 0);
    this.states = builder.states;
    this.mark = new Uint32Array(this.states.length);
  }

  test(value: string): boolean {
    let current: number[] = [];
    this.step();
    this.follow(this.start, current);
    for (const ch of value) {
      const code = ch.codePointAt(0) as number;
      const next: number[] = [];
      this.step();
      for (const i of current) {
        const s = this.states[i] as State;
        if (s.kind === 'char' && inClass(s.cls, code)) this.follow(s.next, next);
      }
      if (next.length === 0) return false;
      current = next;
    }
    return current.includes(0);
  }

  /** A new mark for the next state set; marks restart before the counter would wrap. */
  private step(): void {
    if (this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  /** Adds `state` and everything reachable from it without input (its epsilon closure), once per step. */
  private follow(state: number, into: number[]): void {
    const stack = [state];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (this.mark[i] === this.generation) continue;
      this.mark[i] = this.generation;
      const s = this.states[i] as State;
      if (s.kind === 'split') stack.push(s.b, s.a);
      else into.push(i);
    }
  }
}
