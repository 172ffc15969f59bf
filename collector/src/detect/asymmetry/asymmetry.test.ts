import { describe, expect, it } from 'vitest';
import { prng, StreamBuilder, T0, testContext } from '../testing/streams.ts';
import type { Finding } from '../types.ts';
import { AsymmetryDetector } from './detector.ts';
import { asymmetry } from './index.ts';

const ctx = testContext();
const STEP = 250;
/** B's clock runs 40 ms ahead of A's: one-way figures are contaminated by it. */
const OFFSET = 40;

interface Faults {
  /** Extra one-way delay on packets A->B and B->A. */
  ab?: number;
  ba?: number;
  offset?: number;
  /** Extra RTT only for requests that A starts (a different path for A's traffic). */
  aOnly?: number;
}

function setup() {
  const s = new StreamBuilder();
  const d = new AsymmetryDetector(asymmetry.defaults, ctx);
  const rnd = prng(3);
  let t = T0;
  const tick = (f: Faults = {}): Finding[] => {
    t += STEP;
    const offset = f.offset ?? OFFSET;
    for (const [from, to] of [
      ['ams', 'iad'],
      ['iad', 'ams'],
    ] as const) {
      const fwd = 40 + (from === 'ams' ? (f.ab ?? 0) : (f.ba ?? 0)) + rnd() * 3;
      const rev = 40 + (from === 'ams' ? (f.ba ?? 0) : (f.ab ?? 0)) + rnd() * 3;
      const extra = from === 'ams' ? (f.aOnly ?? 0) : 0;
      const clock = from === 'ams' ? offset : -offset;
      d.observe(
        s.result({
          probeRegion: from,
          path: 'mesh',
          targetRegion: to,
          startedAt: t,
          latencyMs: fwd + rev + extra,
          // A fresh connection: DNS, then the handshake's round trip, then the request's forward trip.
          phases: { dns: 1, connect: fwd + rev },
          echo: {
            region: to,
            machineId: `m-${to}`,
            startedAt: T0 - 1000,
            receivedAt: t + 1 + fwd + rev + fwd + clock,
            requestId: `r${t}`,
          },
        }),
      );
    }
    return d.evaluate(t + 1);
  };
  return { tick };
}

describe('asymmetry detector', { timeout: 60_000 }, () => {
  it('raises nothing on clean jittery mesh data (300 intervals)', () => {
    const { tick } = setup();
    for (let i = 0; i < 300; i++) expect(tick()).toEqual([]);
  });

  it('attributes an extra one-way delay to its direction, then clears when it is removed', () => {
    const { tick } = setup();
    for (let i = 0; i < 40; i++) tick();
    let fired: Finding | undefined;
    let n = 0;
    while (!fired && n < 10) {
      n++;
      fired = tick({ ab: 30 }).find((f) => f.level === 'fire');
    }
    expect(n).toBeLessThanOrEqual(3);
    expect(fired?.labels).toEqual({ probe_region: 'ams', region: 'iad', kind: 'one_way' });
    for (let i = 0; i < 30; i++) {
      const f = tick({ ab: 30 });
      expect(f.some((x) => x.labels.kind === 'one_way' && x.labels.probe_region === 'ams')).toBe(true);
      expect(f.some((x) => x.labels.probe_region === 'iad')).toBe(false);
    }
    const values = tick({ ab: 30 }).find((f) => f.labels.kind === 'one_way')?.evidence.values;
    expect(values?.one_way_difference_step_ms as number).toBeGreaterThan(25);
    let cleared = 0;
    for (let i = 0; i < 10 && cleared === 0; i++) if (tick().length === 0) cleared = i + 1;
    expect(cleared).toBeGreaterThan(0);
    expect(cleared).toBeLessThanOrEqual(3);
  });

  it('names the reverse direction when the delay is on B->A', () => {
    const { tick } = setup();
    for (let i = 0; i < 40; i++) tick();
    let f: Finding | undefined;
    for (let i = 0; i < 5; i++) f = tick({ ba: 30 }).find((x) => x.level === 'fire') ?? f;
    expect(f?.labels).toMatchObject({ probe_region: 'iad', region: 'ams', kind: 'one_way' });
  });

  it('ignores a clock step that moves one-way figures but not the RTT', () => {
    const { tick } = setup();
    for (let i = 0; i < 40; i++) tick();
    for (let i = 0; i < 60; i++) expect(tick({ offset: OFFSET + 25 })).toEqual([]);
  });

  it('reports mesh RTT asymmetry between the two measuring sides', () => {
    const { tick } = setup();
    let f: Finding | undefined;
    for (let i = 0; i < 30; i++) f = tick({ aOnly: 40 }).find((x) => x.labels.kind === 'rtt') ?? f;
    expect(f?.level).toBe('fire');
    expect(f?.labels).toMatchObject({ probe_region: 'ams', region: 'iad', path: 'mesh' });
    expect(f?.evidence.values.difference_ms as number).toBeGreaterThan(30);
  });
});
