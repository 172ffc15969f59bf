import { describe, expect, it } from 'vitest';
import { prng, StreamBuilder, T0, testContext } from '../testing/streams.ts';
import type { Finding } from '../types.ts';
import { LossDetector } from './detector.ts';
import { loss } from './index.ts';

const ctx = testContext();

function setup() {
  const s = new StreamBuilder();
  const d = new LossDetector(loss.defaults, ctx);
  const rnd = prng(21);
  let t = T0;
  /** ams -> fra over private http and tcp; `loss` is the chance a measurement hits a lost packet. */
  const tick = (loss = 0): Finding[] => {
    t += 250;
    for (const protocol of ['http', 'tcp'] as const) {
      const hit = rnd() < loss;
      const timedOut = hit && rnd() < 0.2;
      d.observe(
        s.direct('private', 'ams', 'fra', t, {
          protocol,
          outcome: timedOut ? 'timeout' : 'ok',
          latencyMs: timedOut ? undefined : 9 + rnd() * 3 + (hit ? 210 + rnd() * 800 : 0),
        }),
      );
    }
    return d.evaluate(t + 1);
  };
  return { tick };
}

describe('loss detector', { timeout: 60_000 }, () => {
  it('stays quiet on clean jittery data', () => {
    const { tick } = setup();
    for (let i = 0; i < 600; i++) expect(tick()).toEqual([]);
  });

  it("does not count stalls that a busy host spread over the probe's other regions", () => {
    const s = new StreamBuilder();
    const d = new LossDetector(loss.defaults, ctx);
    let t = T0;
    for (let i = 0; i < 200; i++) {
      t += 250;
      // Every 5th interval the probe's process stalls: all its measurements of that interval are 300 ms late.
      const stall = i > 40 && i % 5 === 0 ? 300 : 0;
      for (const [targetRegion, base] of [
        ['fra', 10],
        ['ams', 1],
        ['lhr', 6],
      ] as const)
        d.observe(
          s.result({
            probeRegion: 'ams',
            path: 'private',
            targetRegion,
            startedAt: t,
            latencyMs: base + stall,
          }),
        );
      expect(d.evaluate(t + 1)).toEqual([]);
    }
  });

  it('fires on retransmission stalls and timeouts, holds through the fault, clears after it', () => {
    const { tick } = setup();
    for (let i = 0; i < 50; i++) tick();
    let fired: Finding | undefined;
    for (let i = 0; i < 40 && !fired; i++) fired = tick(0.26).find((f) => f.level === 'fire');
    expect(fired?.labels).toEqual({ probe_region: 'ams', target: 'web', region: 'fra' });
    expect(fired?.summary).toMatch(/stall/);
    for (let i = 0; i < 100; i++) expect(tick(0.26)).toHaveLength(1);
    let cleared = -1;
    for (let i = 0; i < 60 && cleared < 0; i++) if (tick().length === 0) cleared = i;
    expect(cleared).toBeGreaterThan(0);
  });
});

describe('loss by direction', { timeout: 60_000 }, () => {
  /**
   * ams and fra measure each other over the private path (both run the target); `lossAmsToFra` is the chance
   * that a packet from ams to fra is lost. A request lost on the way arrives late at the echo (forward); a
   * reply lost on the way back leaves the echo's receive time on schedule (reverse).
   */
  function run(opts: { lossAmsToFra: number; echo: boolean }) {
    const s = new StreamBuilder();
    const d = new LossDetector(loss.defaults, testContext());
    const rnd = prng(5);
    let out: Finding[] = [];
    for (let i = 0; i < 120; i++) {
      const t = T0 + i * 2000;
      for (const [from, to] of [
        ['ams', 'fra'],
        ['fra', 'ams'],
      ] as const) {
        for (const protocol of ['http', 'tcp', 'grpc'] as const) {
          const lost = i >= 60 && rnd() < opts.lossAmsToFra;
          // From ams the request is what crosses ams -> fra; from fra it is the reply.
          const requestLate = lost && from === 'ams';
          const owd = 5 + rnd() + (requestLate ? 300 : 0);
          d.observe(
            s.direct('private', from, to, t, {
              protocol,
              phases: { connect: 10 },
              latencyMs: 10 + rnd() * 2 + (lost ? 300 : 0),
              ...(opts.echo
                ? {
                    echo: {
                      region: to,
                      machineId: `m-${to}`,
                      startedAt: T0 - 1000,
                      receivedAt: t + 10 + owd,
                      requestId: `r${i}`,
                    },
                  }
                : {}),
            }),
          );
        }
      }
      out = d.evaluate(t + 1500);
    }
    return out;
  }

  it('reports both cells of a one-way loss as one incident and names the direction', () => {
    const findings = run({ lossAmsToFra: 0.3, echo: true });
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f?.labels).toEqual({ probe_region: 'ams', target: 'web', region: 'fra' });
    expect(f?.evidence.values.direction).toBe('ams->fra');
    expect(f?.evidence.values.cells).toBe(2);
    expect(f?.summary).toMatch(/measured by ams.*measured by fra.*direction ams->fra/);
  });

  it('says the direction is unknown when no stall carries an echo receive time', () => {
    const [f] = run({ lossAmsToFra: 0.3, echo: false });
    expect(f?.evidence.values.direction).toBe('unknown');
    expect(f?.summary).toMatch(/direction unknown/);
  });
});

describe('loss in the handshake', { timeout: 60_000 }, () => {
  it('counts a SYN retry (a 1 s longer connect phase) as a stall though latencyMs stays normal', () => {
    const s = new StreamBuilder();
    const d = new LossDetector(loss.defaults, testContext());
    const rnd = prng(8);
    let fired: Finding | undefined;
    for (let i = 0; i < 120 && !fired; i++) {
      const t = T0 + i * 2000;
      for (const protocol of ['http', 'tcp', 'grpc'] as const) {
        const synLost = i >= 40 && rnd() < 0.25;
        d.observe(
          s.direct('private', 'ams', 'fra', t, {
            protocol,
            phases: { connect: 10 + rnd() + (synLost ? 1000 : 0) },
            latencyMs: 10 + rnd(),
          }),
        );
      }
      const f = d.evaluate(t + 1500).find((x) => x.level === 'fire');
      if (f) {
        expect(i).toBeGreaterThanOrEqual(40);
        fired = f;
      }
    }
    expect(fired?.labels).toEqual({ probe_region: 'ams', target: 'web', region: 'fra' });
    expect(fired?.evidence.values.direction).toBe('unknown');
  });
});
