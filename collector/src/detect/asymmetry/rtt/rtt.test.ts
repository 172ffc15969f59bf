import { describe, expect, it } from 'vitest';
import { meshPair } from '../../testing/mesh-pair.ts';
import type { Finding } from '../../types.ts';

describe('mesh RTT asymmetry', { timeout: 60_000 }, () => {
  it('reports mesh RTT asymmetry between the two measuring sides', () => {
    const { tick } = meshPair();
    let f: Finding | undefined;
    for (let i = 0; i < 30; i++) f = tick({ aOnly: 40 }).find((x) => x.labels.kind === 'rtt') ?? f;
    expect(f?.level).toBe('fire');
    expect(f?.labels).toMatchObject({ probe_region: 'ams', region: 'iad', path: 'mesh' });
    expect(f?.evidence.values.difference_ms as number).toBeGreaterThan(30);
  });
});
