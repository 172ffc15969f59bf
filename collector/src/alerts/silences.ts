import type { SilenceMatcher, SilenceView } from '@flyprobe/shared';

const MAX_PATTERN = 256;

/** Checks a matcher before it is stored; returns why it is unusable, or null. */
export function matcherProblem(m: SilenceMatcher): string | null {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) return 'name must be a label name (letters, digits, "_")';
  if (m.value.length > MAX_PATTERN) return `value must be at most ${MAX_PATTERN} characters`;
  if (m.isRegex) {
    try {
      new RegExp(`^(?:${m.value})$`);
    } catch (error) {
      return `value is not a valid regular expression: ${(error as Error).message}`;
    }
  }
  return null;
}

function matches(m: SilenceMatcher, labels: Record<string, string>): boolean {
  const value = labels[m.name] ?? '';
  const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(value) : value === m.value;
  return hit === m.isEqual;
}

export function silenceState(s: Pick<SilenceView, 'startsAt' | 'endsAt'>, now: number): SilenceView['state'] {
  if (now < s.startsAt) return 'pending';
  return now < s.endsAt ? 'active' : 'expired';
}

/** The first active silence whose every matcher matches the labels (Alertmanager semantics). */
export function silencing(
  silences: readonly SilenceView[],
  labels: Record<string, string>,
  now: number,
): SilenceView | undefined {
  return silences.find(
    (s) =>
      silenceState(s, now) === 'active' &&
      s.matchers.length > 0 &&
      s.matchers.every((m) => matches(m, labels)),
  );
}
