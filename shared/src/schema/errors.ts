import type { z } from 'zod';

export interface FieldError {
  /** Dotted path of the failing field, e.g. `results[3].phases.ttfb`; empty for the document itself. */
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const base = fieldPath(issue.path);
      return { field: base, message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { field: fieldPath(issue.path), message: issue.message };
  });
}

/** Errors of one list entry, under `[index]` (`[3].phases.ttfb`). */
export function atIndex(index: number, errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({
    field: e.field ? `[${index}]${e.field.startsWith('[') ? '' : '.'}${e.field}` : `[${index}]`,
    message: e.message,
  }));
}

/** One line naming every failing field, for logs and error responses. */
export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
}

/** Validates untrusted input; never throws. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: toFieldErrors(r.error) };
}
