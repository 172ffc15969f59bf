import type { z } from 'zod';

/**
 * Compiles a zod 4 schema into an allocation-free acceptance test: `true` means zod accepts the value and
 * returns a deep-equal copy of it, so the value itself can be used; `false` means "ask zod", which decides and
 * names the failing field. The test is generated as JavaScript source from the schema's definition once (at
 * startup), so the hot path (ingest checks every result) runs straight-line code that follows the one schema,
 * as fast as a hand-written mirror and without one to keep in step.
 *
 * Only what keeps output equal to input compiles (objects, partial records, arrays, unions, strings, numbers,
 * booleans, enums, literals, optional, nullable, regex/length/range/integer/custom checks); anything else
 * (transforms, defaults, exhaustive records, unknown string formats) throws at compile time, so a schema change the compiler does not
 * understand fails at startup and in its test rather than accepting something zod would refuse. Values that
 * are not plain JSON (class instances, null-prototype objects) are left to zod.
 */
export function compileAcceptor<S extends z.ZodType>(schema: S): (value: unknown) => value is z.output<S> {
  const out = new Emitter();
  const root = out.expression(schema as unknown as Node, 'value', '');
  const source = `${out.functions.join('\n')}\nreturn function accept(value) { return ${root}; };`;
  // Generated from the schema's own definition; constants (regexes, refinements, sets) are passed in, never inlined as code.
  const build = new Function('k', source) as (constants: unknown[]) => (value: unknown) => boolean;
  return build(out.constants) as (value: unknown) => value is z.output<S>;
}

/** The parts of zod 4's internal definitions the compiler reads. */
interface Node {
  _zod: { def: Def };
}
interface Def {
  type: string;
  /** Set on format schemas (`z.email()`, `z.int()`), which are their own first check. */
  check?: string;
  checks?: readonly { _zod: { def: CheckDef } }[];
  shape?: Record<string, Node>;
  catchall?: Node;
  innerType?: Node;
  element?: Node;
  keyType?: Node;
  valueType?: Node;
  /** `z.partialRecord`: keys of an enumerable key type may be missing. */
  partial?: boolean;
  options?: readonly Node[];
  entries?: Record<string, unknown>;
  values?: readonly unknown[];
}
interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  length?: number;
  format?: string;
  pattern?: RegExp;
  fn?: (value: unknown) => unknown;
}

function unsupported(where: string, what: string): Error {
  return new Error(`compileAcceptor: ${where || 'schema'}: ${what} is not supported`);
}

/** Enums and literals with more values than this are tested with a Set instead of a chain of `===`. */
const MAX_INLINE_VALUES = 8;

class Emitter {
  readonly constants: unknown[] = [];
  readonly functions: string[] = [];

  /** A JS expression that is true when the value of variable `x` is certainly valid for `node`. */
  expression(node: Node, x: string, where: string): string {
    const def = node._zod.def;
    const own = def.check === undefined ? [] : [def as CheckDef];
    const checks = [...own, ...(def.checks ?? []).map((c) => c._zod.def)];
    return [this.type(def, x, where), ...checks.map((c) => this.check(c, x, where))].join(' && ');
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  private number(n: number): string {
    return Number.isFinite(n) ? String(n) : this.constant(n);
  }

  private type(def: Def, x: string, where: string): string {
    switch (def.type) {
      case 'string':
        return `typeof ${x} === 'string'`;
      case 'number':
        // zod 4 refuses NaN and the infinities for every number.
        return `typeof ${x} === 'number' && Number.isFinite(${x})`;
      case 'boolean':
        return `typeof ${x} === 'boolean'`;
      case 'null':
        return `${x} === null`;
      case 'unknown':
      case 'any':
        return 'true';
      case 'never':
        return 'false';
      case 'union':
        // Each option keeps its input, so whichever one zod picks returns a copy equal to the input.
        return `(${(def.options ?? []).map((o) => this.expression(o, x, where)).join(' || ')})`;
      case 'record':
        return `${this.recordFunction(def, where)}(${x})`;
      case 'enum':
        return this.oneOf(Object.values(def.entries ?? {}), x);
      case 'literal':
        return this.oneOf(def.values ?? [], x);
      case 'optional':
        return `(${x} === undefined || ${this.expression(def.innerType as Node, x, where)})`;
      case 'nullable':
        return `(${x} === null || ${this.expression(def.innerType as Node, x, where)})`;
      case 'array':
        return `${this.arrayFunction(def, where)}(${x})`;
      case 'object':
        return `${this.objectFunction(def, where)}(${x})`;
      default:
        throw unsupported(where, `type "${def.type}"`);
    }
  }

  private oneOf(values: readonly unknown[], x: string): string {
    const inline = values.every(
      (v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)),
    );
    if (!inline || values.length > MAX_INLINE_VALUES) return `${this.constant(new Set(values))}.has(${x})`;
    if (values.length === 0) return 'false';
    return `(${values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`;
  }

  private arrayFunction(def: Def, where: string): string {
    const name = `f${this.functions.length}`;
    this.functions.push('');
    const element = this.expression(def.element as Node, 'x', `${where}[]`);
    this.functions[Number(name.slice(1))] = `function ${name}(a) {
  if (!Array.isArray(a) || Object.getPrototypeOf(a) !== Array.prototype) return false;
  for (let i = 0; i < a.length; i++) { const x = a[i]; if (!(${element})) return false; }
  return true;
}`;
    return name;
  }

  private recordFunction(def: Def, where: string): string {
    const keyType = def.keyType as Node;
    // An exhaustive record (enum keys, not partial) requires every key: not worth compiling until needed.
    if ((keyType._zod as { values?: unknown }).values !== undefined && !def.partial)
      throw unsupported(where, 'an exhaustive record');
    const name = `f${this.functions.length}`;
    this.functions.push('');
    const key = this.expression(keyType, 'key', `${where}{key}`);
    const value = this.expression(def.valueType as Node, 'x', `${where}{}`);
    this.functions[Number(name.slice(1))] = `function ${name}(o) {
  if (typeof o !== 'object' || o === null || Object.getPrototypeOf(o) !== Object.prototype) return false;
  for (const key in o) { const x = o[key]; if (!(${key}) || !(${value})) return false; }
  return true;
}`;
    return name;
  }

  private objectFunction(def: Def, where: string): string {
    const name = `f${this.functions.length}`;
    this.functions.push('');
    const cases: string[] = [];
    let required = 0;
    for (const [key, child] of Object.entries(def.shape ?? {})) {
      const isRequired = child._zod.def.type !== 'optional';
      if (isRequired) required++;
      const accept = this.expression(child, 'x', where ? `${where}.${key}` : key);
      cases.push(
        `case ${JSON.stringify(key)}: if (!(${accept})) return false;${isRequired ? ' seen++;' : ''} break;`,
      );
    }
    // A strict object refuses unknown keys and a stripping one drops them (output != input): both ask zod.
    const catchall = def.catchall;
    const rest =
      catchall === undefined || catchall._zod.def.type === 'never'
        ? 'return false;'
        : `if (!(${this.expression(catchall, 'x', `${where}.*`)})) return false; break;`;
    // for-in over a plain object visits own keys only (Object.prototype has no enumerable ones).
    this.functions[Number(name.slice(1))] = `function ${name}(o) {
  if (typeof o !== 'object' || o === null || Object.getPrototypeOf(o) !== Object.prototype) return false;
  let seen = 0;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      ${cases.join('\n      ')}
      default: ${rest}
    }
  }
  return seen === ${required};
}`;
    return name;
  }

  private check(check: CheckDef, x: string, where: string): string {
    // A check's `when` may let zod skip it; running it regardless can only refuse more, never accept more, and
    // zod's default `when` (length checks: "the value has a length") always holds after the type test.
    switch (check.check) {
      case 'greater_than':
        return `${x} ${check.inclusive ? '>=' : '>'} ${this.number(check.value as number)}`;
      case 'less_than':
        return `${x} ${check.inclusive ? '<=' : '<'} ${this.number(check.value as number)}`;
      case 'number_format':
        return this.numberFormat(check.format, x, where);
      case 'min_length':
        return `${x}.length >= ${this.number(check.minimum as number)}`;
      case 'max_length':
        return `${x}.length <= ${this.number(check.maximum as number)}`;
      case 'length_equals':
        return `${x}.length === ${this.number(check.length as number)}`;
      case 'string_format': {
        const pattern = check.pattern;
        if (check.format !== 'regex' || !pattern) throw unsupported(where, `string format "${check.format}"`);
        const re = this.constant(pattern);
        // A global or sticky regex starts where its last match ended; zod resets it first.
        return pattern.global || pattern.sticky
          ? `(${re}.lastIndex = 0, ${re}.test(${x}))`
          : `${re}.test(${x})`;
      }
      case 'custom': {
        const fn = check.fn;
        if (!fn) throw unsupported(where, 'a custom check without a function');
        return `${this.constant(refinement(fn, where))}(${x})`;
      }
      default:
        throw unsupported(where, `check "${check.check}"`);
    }
  }

  private numberFormat(format: string | undefined, x: string, where: string): string {
    switch (format) {
      case 'safeint':
        return `Number.isSafeInteger(${x})`;
      case 'int32':
        return `Number.isInteger(${x}) && ${x} >= -2147483648 && ${x} <= 2147483647`;
      case 'uint32':
        return `Number.isInteger(${x}) && ${x} >= 0 && ${x} <= 4294967295`;
      default:
        throw unsupported(where, `number format "${format}"`);
    }
  }
}

/** A refinement as zod runs it: truthy passes; a promise cannot be awaited on this synchronous path. */
function refinement(fn: (value: unknown) => unknown, where: string): (value: unknown) => boolean {
  return (value) => {
    const verdict = fn(value);
    if (verdict instanceof Promise) throw unsupported(where, 'an asynchronous refinement');
    return Boolean(verdict);
  };
}
