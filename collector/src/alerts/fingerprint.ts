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
  const parts = Object.keys(labels)
    .filter((k) => k !== 'rule' && k !== 'severity')
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  const text = `${rule}\n${parts.join('\n')}`;
  let fp = cache.get(text);
  if (fp === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    fp = createHash('sha256').update(text).digest('hex').slice(0, 16);
    cache.set(text, fp);
  }
  return fp;
}
