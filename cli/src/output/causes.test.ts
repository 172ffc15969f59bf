import { describe, expect, it } from 'vitest';
import { causesCell } from './causes.ts';

describe('causes cell', () => {
  it('lists kinds with region, marking the probe side', () => {
    const base = { source: 'x', at: 1, summary: 's', details: {} };
    expect(causesCell(undefined)).toBe('');
    expect(
      causesCell([
        { ...base, kind: 'oom_kill', region: 'fra', side: 'target' },
        { ...base, kind: 'probe_degraded', region: 'ams', side: 'probe' },
        { ...base, kind: 'incident' },
      ]),
    ).toBe('oom_kill@fra, probe_degraded@ams [probe], incident');
  });
});
