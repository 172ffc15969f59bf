import type { SilenceMatcher, SilenceView } from '@flyprobe/shared';
import { LinearRegex, PatternError } from './linear-regex.ts';

const MAX_PATTERN = 256;
/** Compiled patterns kept; silences are few, so this only bounds a pathological churn of patterns. */
const MAX_COMPILED = 1000;
const compiled = new Map<string, LinearRegex | null>();

/** The compiled pattern, or null when it does not compile (a row stored before patterns were checked). */
function regexFor(pattern: string): LinearRegex | null {
  let r = compiled.get(pattern);
  if (r === undefined) {
    try {
      r = new LinearRegex(pattern);
    } catch {
      r = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, r);
  }
  return r;
}

/** Checks a matcher before it is stored; returns why it is unusable, or null. */
export function matcherProblem(m: SilenceMatcher): string | null {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) return 'name must be a label name (letters, digits, "_")';
  if (m.value.length > MAX_PATTERN) return `value must be at most ${MAX_PATTERN} characters`;
  if (m.isRegex) {
    try {
      new LinearRegex(m.value);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      return `value is not a supported regular expression (linear-time RE2 subset, see docs/ALERTS.md): ${error.message}`;
    }
  }
  return null;
}

function matches(m: SilenceMatcher, labels: Record<string, string>): boolean {
  const value = labels[m.name] ?? '';
  if (!m.isRegex) return (value === m.value) === m.isEqual;
  const re = regexFor(m.value);
  // A stored pattern that no longer compiles silences nothing: failing open would hide alerts.
  return re !== null && re.test(value) === m.isEqual;
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
