import { randomBytes } from 'node:crypto';
import type { FakeMachine } from '../../fake-machines/machine-shapes.ts';
import { type FakeMachines, startFakeMachines } from '../../fake-machines/server.ts';

export interface TargetMachines {
  fake: FakeMachines;
  url: string;
  /** The read token the machine-events source sends (Bearer). */
  token: string;
  /** A started Machine of the target app in `region`, running `<app>:deployment-01`. */
  addMachine(region: string, memoryMb?: number): FakeMachine;
  close(): Promise<void>;
}

/**
 * The target app on the fake Machines API (test/fake-machines): what the machine-events source lists. Rate
 * limits are lifted, since the source's tests poll back to back; `recordExit` and `recordDeploy`
 * (test/fake-machines/machine-history.ts) write what happens to a Machine between polls.
 */
export async function startTargetMachines(app: string): Promise<TargetMachines> {
  const token = `target-read-${randomBytes(12).toString('hex')}`;
  const unlimited = { perSecond: 10_000, burst: 10_000 };
  const fake = await startFakeMachines({ token, apps: [app], rateLimit: unlimited, getRateLimit: unlimited });
  return {
    fake,
    url: fake.url,
    token,
    addMachine: (region, memoryMb = 256) =>
      fake.seed(app, {
        region,
        name: `${region}-${randomBytes(3).toString('hex')}`,
        image: `registry.fly.io/${app}:deployment-01`,
        config: {
          guest: { cpu_kind: 'shared', cpus: 1, memory_mb: memoryMb },
          restart: { policy: 'on-failure' },
        },
      }),
    close: () => fake.close(),
  };
}
