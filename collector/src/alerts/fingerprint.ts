import { createHash } from 'node:crypto';

/**
 * Fingerprints by the text they hash: every evaluation brings back the open alerts' findings with the same
 * labels, and a SHA-256 per finding per evaluation was a visible share of the engine's CPU. Bounded: past
 * `MAX_CACHED` texts the cache starts over.
 */
const cache = new Map<string, string>();
const MAX_CACHED = 4096;

/** Stable identity of an alert: rule + its identity labels in sorted order (severity excluded). */
export function fingerprint(rule: string, labels: Record<string, string>): string {
  const text = identityText(rule, labels);
  let fp = cache.get(text);
  if (fp === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    fp = createHash('sha256').update(text).digest('hex').slice(0, 16);
    cache.set(text, fp);
  }
  return fp;
}

/** Reused by `identityText`: a finding has a handful of labels, sorted in place by insertion. */
const names: string[] = [];

/** `rule`, then `name=value` per identity label in name order (as `sort()` orders them), one per line. */
function identityText(rule: string, labels: Record<string, string>): string {
  names.length = 0;
  for (const k in labels) {
    if (k === 'rule' || k === 'severity') continue;
    let i = names.length;
    while (i > 0 && (names[i - 1] as string) > k) {
      names[i] = names[i - 1] as string;
      i--;
    }
    names[i] = k;
  }
  let text = rule;
  for (const k of names) text += `\n${k}=${labels[k]}`;
  return names.length === 0 ? `${rule}\n` : text;
}
