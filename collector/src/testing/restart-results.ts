import type { ProbeResult } from '@flyprobe/shared';
import { result } from './fixtures.ts';

/**
 * Two pinned results from a probe to fra whose echo reports a Machine that started anew between them
 * (same Machine, later start, same image): what the restart detector fires on.
 */
export function restartedMachineResults(now: number): ProbeResult[] {
  const echo = (startedAt: number, at: number) => ({
    region: 'fra',
    machineId: 'm-fra',
    startedAt,
    imageRef: 'img:1',
    receivedAt: at,
    requestId: `r${at}`,
  });
  return [
    result(1, {
      path: 'pinned',
      targetRegion: 'fra',
      startedAt: now - 3000,
      echo: echo(now - 600_000, now - 3000),
    }),
    result(2, {
      path: 'pinned',
      targetRegion: 'fra',
      startedAt: now - 1000,
      echo: echo(now - 1500, now - 1000),
    }),
  ];
}
