import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { inIntervals } from '../core/config.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import type { RestartConfig } from './index.ts';

interface Restart {
  at: number;
  resultId: number;
  previousStart: number;
  newStart: number;
}

interface MachineState {
  target: string;
  machineId: string;
  region: RegionCode;
  startedAt: number;
  imageRef: string | undefined;
  seenAt: number;
  restarts: Restart[];
  deploys: number;
}

const MAX_RESTARTS_KEPT = 20;

/**
 * A served Machine whose echo start time moved forward while its image ref stayed the same restarted without
 * a deploy (OOM kill, crash, host maintenance). The alert fires on the restart and resolves `holdIntervals` after
 * the last one.
 */
export class RestartDetector implements Detector<'restart'> {
  readonly rule = 'restart' as const;
  private readonly machines = new Map<string, MachineState>();

  constructor(
    private readonly config: RestartConfig,
    private readonly ctx: DetectionContext,
  ) {}

  observe(r: StoredResult): void {
    const echo = r.echo;
    if (!echo || r.path === 'mesh') return;
    const k = `${r.target}|${echo.machineId}`;
    const m = this.machines.get(k);
    if (!m) {
      this.machines.set(k, {
        target: r.target,
        machineId: echo.machineId,
        region: echo.region,
        startedAt: echo.startedAt,
        imageRef: echo.imageRef,
        seenAt: r.startedAt,
        restarts: [],
        deploys: 0,
      });
      return;
    }
    m.seenAt = Math.max(m.seenAt, r.startedAt);
    // Only a later start is news; an earlier one is a late result from before the restart.
    if (echo.startedAt <= m.startedAt + this.config.minChangeMs) return;
    if (echo.imageRef === m.imageRef) {
      m.restarts.push({
        at: r.startedAt,
        resultId: r.id,
        previousStart: m.startedAt,
        newStart: echo.startedAt,
      });
      if (m.restarts.length > MAX_RESTARTS_KEPT) m.restarts.shift();
    } else {
      m.deploys++;
    }
    m.startedAt = echo.startedAt;
    m.imageRef = echo.imageRef;
    m.region = echo.region;
  }

  evaluate(now: number): Finding<'restart'>[] {
    const findings: Finding<'restart'>[] = [];
    for (const [k, m] of this.machines) {
      const last = m.restarts.at(-1);
      const intervalMs = this.ctx.intervalMs(m.target);
      const holdMs = inIntervals(this.config.holdIntervals, this.config.holdMs, intervalMs);
      if (
        !last &&
        now - m.seenAt > inIntervals(this.config.staleIntervals, this.config.staleMs, intervalMs)
      ) {
        this.machines.delete(k);
        continue;
      }
      if (!last || now - last.at > holdMs) continue;
      const recent = m.restarts.filter((x) => now - x.at <= holdMs);
      findings.push({
        rule: this.rule,
        labels: { target: m.target, region: m.region, machine: m.machineId },
        level: 'fire',
        severity: this.config.severity,
        scope: 'local',
        summary:
          `${m.target}: Machine ${m.machineId} in ${m.region} restarted without a deploy ` +
          `(process start ${new Date(last.previousStart).toISOString()} -> ${new Date(last.newStart).toISOString()}, ` +
          `image ${m.imageRef ?? 'unknown'} unchanged); ${recent.length} restart(s) in the last ${Math.round(holdMs / 1000)} s. ` +
          'Check the Machine for OOM kills, crashes or host maintenance.',
        evidence: {
          values: {
            machine: m.machineId,
            image_ref: m.imageRef ?? null,
            previous_started_at: last.previousStart,
            new_started_at: last.newStart,
            restarts_in_window: recent.length,
          },
          window: { from: recent[0]?.at ?? last.at, to: last.at, samples: recent.length },
          sampleIds: recent.map((x) => x.resultId),
        },
      });
    }
    return findings;
  }
}
