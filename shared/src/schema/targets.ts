import { type TargetConfig, targetConfig } from './config.ts';
import type { FieldError } from './errors.ts';
import { atIndex, parseWith } from './errors.ts';

/** Most targets one list (and so one probe config document) may hold. */
export const MAX_TARGETS = 200;

/**
 * Validates a whole target list, as `PUT /v1/targets`, FLYPROBE_TARGETS_FILE and `flyprobe targets
 * validate` take it: each entry against the target schema (errors at `[i].field`), names unique.
 */
export function parseTargets(
  input: unknown,
): { ok: true; targets: TargetConfig[] } | { ok: false; errors: FieldError[] } {
  if (!Array.isArray(input))
    return { ok: false, errors: [{ field: '', message: 'must be a JSON array of targets' }] };
  if (input.length > MAX_TARGETS)
    return { ok: false, errors: [{ field: '', message: `at most ${MAX_TARGETS} targets` }] };
  const errors: FieldError[] = [];
  const targets: TargetConfig[] = [];
  const seen = new Map<string, number>();
  input.forEach((raw, index) => {
    const r = parseWith(targetConfig, raw);
    if (!r.ok) {
      errors.push(...atIndex(index, r.errors));
      return;
    }
    const first = seen.get(r.value.name);
    if (first !== undefined)
      errors.push({
        field: `[${index}].name`,
        message: `duplicate target name "${r.value.name}" (also at [${first}])`,
      });
    else seen.set(r.value.name, index);
    targets.push(r.value);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, targets };
}
