import { createHash } from 'node:crypto';

/** Stable identity of an alert: rule + its identity labels in sorted order (severity excluded). */
export function fingerprint(rule: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .filter((k) => k !== 'rule' && k !== 'severity')
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return createHash('sha256')
    .update(`${rule}\n${parts.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
}
