import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultDetectionConfig } from './config.ts';
import { DETECTORS, RULES } from './detectors.ts';
import { rulesTable, TABLE_END, TABLE_START } from './testing/rules-table.ts';

const ALERTS_MD = new URL('../../../docs/ALERTS.md', import.meta.url);

describe('the detector list', () => {
  it('names each rule once, and the config has exactly one section per rule plus scope', () => {
    expect(new Set(RULES).size).toBe(RULES.length);
    expect(Object.keys(defaultDetectionConfig()).sort()).toEqual([...RULES, 'scope'].sort());
    for (const d of DETECTORS) expect(defaultDetectionConfig()[d.rule]).toEqual(d.defaults);
  });

  it('is what docs/ALERTS.md tabulates (a mismatch prints the block to paste)', () => {
    const doc = readFileSync(ALERTS_MD, 'utf8');
    const block = doc.slice(doc.indexOf(TABLE_START), doc.indexOf(TABLE_END) + TABLE_END.length);
    const table = rulesTable();
    expect(block, `docs/ALERTS.md: replace the rules tables with\n${table}\n`).toBe(table);
  });
});
