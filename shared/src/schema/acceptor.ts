import type { z } from 'zod';

/**
 * Compiles a zod 4 schema into an allocation-free acceptance test: `true` means zod accepts the value and
 * returns a deep-equal copy of it, so the value itself can be used; `false` means "ask zod", which decides and
 * names the failing field. Built once by walking the schema's definition, so the hot path (ingest validates
 * every result) follows the one schema instead of a hand-written mirror of it.
 *
 * Only what keeps output equal to input compiles (objects, arrays, strings, numbers, booleans, enums,
 * literals, optional, nullable, regex/length/range/integer/custom checks); anything else (transforms,
 * defaults, unions, unknown string formats) throws at compile time, so a schema change the compiler does not
 * understand fails at startup and in its test rather than accepting something zod would refuse. Values that
 * are not plain JSON (class instances, null-prototype objects) are left to zod.
 */
export function compileAcceptor<S extends z.ZodType>(schema: S): (value: unknown) => value is z.output<S> {
  return compile(schema as unknown as Node, '') as (value: unknown) => value is z.output<S>;
}

type Accept = (value: unknown) => boolean;

/** The parts of zod 4's internal definitions the compiler reads. */
interface Node {
  _zod: { def: Def };
}
interface Def {
  type: string;
  check?: string;
  checks?: readonly { _zod: { def: CheckDef } }[];
  shape?: Record<string, Node>;
  catchall?: Node;
  innerType?: Node;
  element?: Node;
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

function compile(node: Node, where: string): Accept {
  const def = node._zod.def;
  const base = compileType(def, where);
  // A format schema (`z.email()`, `z.int()`) is its own first check.
  const own = def.check === undefined ? [] : [def as CheckDef];
  const checks = [...own, ...(def.checks ?? []).map((c) => c._zod.def)].map((c) => compileCheck(c, where));
  if (checks.length === 0) return base;
  return (v) => {
    if (!base(v)) return false;
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

function compileType(def: Def, where: string): Accept {
  switch (def.type) {
    case 'string':
      return (v) => typeof v === 'string';
    case 'number':
      // zod 4 refuses NaN and the infinities for every number.
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'null':
      return (v) => v === null;
    case 'unknown':
    case 'any':
      return () => true;
    case 'enum':
      return oneOf(Object.values(def.entries ?? {}));
    case 'literal':
      return oneOf(def.values ?? []);
    case 'optional': {
      const inner = compile(def.innerType as Node, where);
      return (v) => v === undefined || inner(v);
    }
    case 'nullable': {
      const inner = compile(def.innerType as Node, where);
      return (v) => v === null || inner(v);
    }
    case 'array': {
      const element = compile(def.element as Node, `${where}[]`);
      return (v) => {
        if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'object':
      return compileObject(def, where);
    default:
      throw unsupported(where, `type "${def.type}"`);
  }
}

function oneOf(values: readonly unknown[]): Accept {
  const set = new Set(values);
  return (v) => set.has(v);
}

function compileObject(def: Def, where: string): Accept {
  const fields = new Map<string, { accept: Accept; required: boolean }>();
  let requiredCount = 0;
  for (const [key, child] of Object.entries(def.shape ?? {})) {
    const required = child._zod.def.type !== 'optional';
    if (required) requiredCount++;
    fields.set(key, { accept: compile(child, where ? `${where}.${key}` : key), required });
  }
  const catchallType = def.catchall?._zod.def.type;
  // A strict object refuses unknown keys and a stripping one drops them (output != input): both ask zod.
  const rest: Accept | undefined =
    def.catchall === undefined || catchallType === 'never' ? undefined : compile(def.catchall, `${where}.*`);
  return (v) => {
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
    const o = v as Record<string, unknown>;
    let seen = 0;
    // for-in over a plain object visits own keys only (Object.prototype has no enumerable ones).
    for (const key in o) {
      const field = fields.get(key);
      if (field === undefined) {
        if (rest === undefined || !rest(o[key])) return false;
        continue;
      }
      if (!field.accept(o[key])) return false;
      if (field.required) seen++;
    }
    return seen === requiredCount;
  };
}

function compileCheck(check: CheckDef, where: string): Accept {
  // A check's `when` may let zod skip it; running it regardless can only refuse more, never accept more, and
  // zod's default `when` (length checks: "the value has a length") always holds after the type test.
  switch (check.check) {
    case 'greater_than': {
      const min = check.value as number;
      return check.inclusive ? (v) => (v as number) >= min : (v) => (v as number) > min;
    }
    case 'less_than': {
      const max = check.value as number;
      return check.inclusive ? (v) => (v as number) <= max : (v) => (v as number) < max;
    }
    case 'number_format':
      return numberFormat(check.format, where);
    case 'min_length': {
      const min = check.minimum as number;
      return (v) => (v as { length: number }).length >= min;
    }
    case 'max_length': {
      const max = check.maximum as number;
      return (v) => (v as { length: number }).length <= max;
    }
    case 'length_equals': {
      const length = check.length as number;
      return (v) => (v as { length: number }).length === length;
    }
    case 'string_format': {
      const pattern = check.pattern;
      if (check.format !== 'regex' || !pattern) throw unsupported(where, `string format "${check.format}"`);
      return (v) => {
        pattern.lastIndex = 0;
        return pattern.test(v as string);
      };
    }
    case 'custom': {
      const fn = check.fn;
      if (!fn) throw unsupported(where, 'a custom check without a function');
      return (v) => {
        const verdict = fn(v);
        if (verdict instanceof Promise) throw unsupported(where, 'an asynchronous refinement');
        return Boolean(verdict);
      };
    }
    default:
      throw unsupported(where, `check "${check.check}"`);
  }
}

function numberFormat(format: string | undefined, where: string): Accept {
  switch (format) {
    case 'safeint':
      return (v) => Number.isSafeInteger(v);
    case 'int32':
      return (v) => Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647;
    case 'uint32':
      return (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4294967295;
    default:
      throw unsupported(where, `number format "${format}"`);
  }
}
