import type { AlertListResponse } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCgroup, type MemoryCgroup, memoryCgroupProblem, startHog } from '../lab/faults/oom.ts';
import { type Lab, labCapability, startLab, waitFor } from '../lab/index.ts';
import { FAST_COLLECTOR_ENV } from './lab-helpers.ts';

/**
 * An OOM-killed target in the lab: fra's echo runs in a memory cgroup, a process that the OOM killer never
 * picks fills the cgroup to its limit, the echo's next allocation gets it killed, and it is started again in
 * the same cgroup (as Fly's restart policy would). The restart alert must name the OOM kill, from the
 * cgroup counters the echo's answers carry.
 */

const lab0 = labCapability();
const cgroupProblem = memoryCgroupProblem();
const skip = !lab0.ok ? lab0.reason : cgroupProblem;
const REGIONS = ['iad', 'dfw', 'lhr', 'fra'];

describe.skipIf(skip !== undefined)(`OOM kill in the lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let lab: Lab;
  let cg: MemoryCgroup;

  beforeAll(async () => {
    lab = await startLab({
      regions: REGIONS,
      targetRegions: ['iad', 'fra'],
      startTargets: false,
      delays: { scale: 0.5 },
      target: { paths: ['anycast', 'pinned'], protocols: ['http', 'tcp'], intervalMs: 500, timeoutMs: 2000 },
    });
    cg = createMemoryCgroup(`flyprobe-lab-oom-${process.pid}`);
    await lab.startTarget('iad');
    const fra = await lab.startTarget('fra', { FLYPROBE_ECHO_CGROUP: cg.dir });
    cg.add(fra.pid as number);
    await lab.startCollector(FAST_COLLECTOR_ENV);
    for (const r of REGIONS) await lab.startProbe(r);
  }, 600_000);

  afterAll(async () => {
    await lab?.stop();
    cg?.remove();
  }, 120_000);

  it('raises a restart alert that names the OOM kill of the served Machine', async () => {
    const withPressure = () =>
      lab.api<{ results: Array<{ echo?: { region: string; pressure?: { memoryOomKill?: number } } }> }>(
        '/v1/results?target=web&path=pinned&limit=200',
      );
    await waitFor(
      'results served by fra carrying its cgroup counters',
      async () =>
        (await withPressure()).results.some(
          (r) => r.echo?.region === 'fra' && r.echo.pressure?.memoryOomKill === 0,
        )
          ? true
          : undefined,
      60_000,
    );
    const echo = lab.targets.get('fra');
    const hog = await startHog(cg, 32 << 20);
    try {
      cg.limit(cg.usage() + (1 << 20));
      const exit = await Promise.race([
        echo?.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000)),
      ]);
      expect(exit?.signal, 'the echo was killed by the kernel').toBe('SIGKILL');
      expect(cg.oomKills()).toBe(1);
    } finally {
      hog.kill('SIGKILL');
    }
    cg.limit(1 << 30);
    const again = await lab.startTarget('fra', { FLYPROBE_ECHO_CGROUP: cg.dir });
    cg.add(again.pid as number);

    const alert = await waitFor(
      'a restart alert for fra with an OOM cause',
      async () => {
        const { alerts } = await lab.api<AlertListResponse>('/v1/alerts?rule=restart&region=fra');
        return alerts.find((a) => a.causes?.some((c) => c.kind === 'oom_kill'));
      },
      90_000,
    );
    const cause = alert.causes?.find((c) => c.kind === 'oom_kill');
    expect(cause).toMatchObject({
      source: 'pressure',
      side: 'target',
      region: 'fra',
      details: { oom_kills: 1 },
    });
    expect(cause?.summary).toContain('cgroup OOM-killed 1 process(es), first seen at');
    process.stdout.write(`${alert.summary}\n  cause: ${cause?.summary}\n`);
  }, 300_000);
});
