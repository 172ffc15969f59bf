import { z } from 'zod';
import { DETECTORS } from '../detectors.ts';

/** Fields every rule has (`baseFields`): described once in the docs, not per rule. */
const COMMON = new Set(['enabled', 'severity', 'forMs', 'staleIntervals', 'staleMs']);

export const TABLE_START = '<!-- rules table: generated from collector/src/detect/detectors.ts -->';
export const TABLE_END = '<!-- end of rules table -->';

function value(v: unknown): string {
  return v === undefined ? 'unset' : `${v}`;
}

/** The rules tables of docs/ALERTS.md, from the detector list: one row per rule, then each rule's settings. */
export function rulesTable(): string {
  const rules = DETECTORS.map(
    (d) =>
      `| \`${d.rule}\` | ${d.summary} | ${d.defaults.severity} | ${d.defaults.staleIntervals} | ${d.labels} |`,
  );
  const settings = DETECTORS.map((d) => {
    const shape = d.configSchema instanceof z.ZodObject ? Object.keys(d.configSchema.shape) : [];
    const defaults = d.defaults as Record<string, unknown>;
    const own = shape.filter((k) => !COMMON.has(k)).map((k) => `\`${k}\` ${value(defaults[k])}`);
    return `| \`${d.rule}\` | ${own.join(', ')} |`;
  });
  return [
    TABLE_START,
    '| rule | reports | severity | stale after (intervals) | key (labels) |',
    '|---|---|---|---|---|',
    ...rules,
    '',
    '| rule | settings (default) |',
    '|---|---|',
    ...settings,
    TABLE_END,
  ].join('\n');
}
