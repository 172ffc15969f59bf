/**
 * The one environment reader of every package: a process declares its variables once (name, parser,
 * default, doc) and reads them all in one pass, so a start attempt names every bad variable at once
 * instead of failing on the first and hiding the rest.
 */

/** One variable as a process declares it. */
export interface EnvVar<T> {
  /** The variable, or its aliases in order of precedence: the first non-empty one is read. */
  name: string | readonly string[];
  /** Turns the trimmed, non-empty value into T; throws `Error(reason)` (e.g. "must be true or false"). */
  parse: (raw: string) => T;
  /** Used when every name is unset or blank. */
  default: T;
  /** One line for operators: what it sets (and its default, where `default` is not the final one). */
  doc: string;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvValues<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export interface EnvProblem {
  /** The variable that was read (the alias actually set). */
  name: string;
  reason: string;
}

/** Every bad variable of one read, in declaration order; the message is `NAME: reason; NAME: reason`. */
export class EnvError extends Error {
  constructor(readonly problems: readonly EnvProblem[]) {
    super(problems.map((p) => `${p.name}: ${p.reason}`).join('; '));
    this.name = 'EnvError';
  }
}

/** Reads every declared variable; throws one EnvError listing each bad one and why. */
export function readEnv<S extends EnvSpec>(env: NodeJS.ProcessEnv, spec: S): EnvValues<S> {
  const values: Record<string, unknown> = {};
  const problems: EnvProblem[] = [];
  for (const [key, v] of Object.entries(spec)) {
    const found = firstSet(env, v.name);
    if (!found) {
      values[key] = v.default;
      continue;
    }
    try {
      values[key] = v.parse(found.value);
    } catch (err) {
      problems.push({ name: found.name, reason: err instanceof Error ? err.message : String(err) });
      values[key] = v.default;
    }
  }
  if (problems.length > 0) throw new EnvError(problems);
  return values as EnvValues<S>;
}

/** The names a spec reads, for help texts and the docs check. */
export function envNames(spec: EnvSpec): string[] {
  return Object.values(spec).flatMap((v) => (typeof v.name === 'string' ? [v.name] : [...v.name]));
}

function firstSet(env: NodeJS.ProcessEnv, names: string | readonly string[]) {
  for (const name of typeof names === 'string' ? [names] : names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** A Markdown table of a spec (variable, default, meaning), as docs/ENVIRONMENT.md carries it. */
export function envTable(spec: EnvSpec): string {
  const rows = Object.values(spec).map((v) => {
    const [name, ...aliases] = typeof v.name === 'string' ? [v.name] : v.name;
    const names = [`\`${name}\``, ...aliases.map((a) => `\`${a}\``)].join(', ');
    return `| ${names} | ${showDefault(v.default)} | ${v.doc} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

function showDefault(value: unknown): string {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return '';
  return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
}
