import { AsymmetryDetector } from '../asymmetry/detector.ts';
import { asymmetry } from '../asymmetry/index.ts';
import type { Finding } from '../types.ts';
import { prng, StreamBuilder, T0, testContext } from './streams.ts';

const ctx = testContext();
const STEP = 250;
/** B's clock runs 40 ms ahead of A's: one-way figures are contaminated by it. */
export const OFFSET = 40;

export interface Faults {
  /** Extra one-way delay on packets A->B and B->A. */
  ab?: number;
  ba?: number;
  offset?: number;
  /** Extra RTT only for requests that A starts (a different path for A's traffic). */
  aOnly?: number;
}

/**
 * Mesh probes in ams and iad measuring each other every 250 ms through the whole asymmetry detector;
 * `tick(faults)` runs one interval and returns the findings.
 */
export function meshPair() {
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
