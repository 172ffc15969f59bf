import type { NetworkPath, ProbeConfig, Protocol, RegionCode, TargetConfig } from '@flyprobe/shared';
import { isRoutedPath } from '@flyprobe/shared';
import type { EchoPorts } from '../checks/core/check.ts';
import { parseHostPort } from '../checks/core/host-port.ts';
import { type CheckSpec, checkType } from '../checks/index.ts';
import type { CheckPlan, PlannedCheck, PlannedStream } from './plan.ts';

export interface PlanContext {
  self: { probeId: string; region: RegionCode };
  /** 6PN resolver for `*.internal` names; the system resolver when absent. */
  resolver?: string;
  /** Regions found in TXT `regions.<app>.internal`, for targets that list none. */
  discoveredRegions: ReadonlyMap<string, readonly RegionCode[]>;
  /** Ports of this probe's echo server: peers of one deployment listen on the same ones. */
  echoPorts: EchoPorts;
}

/**
 * Turns a probe config into the concrete measurements: targets x paths x protocols x regions, and
 * the mesh (every peer but this probe). Pinned = the public host with fly-force-region per region;
 * private = `<region>.<app>.internal` over 6PN (plaintext, private ports); anycast = the public host;
 * flycast = `<app>.flycast` (or `flycastHost`) over 6PN through fly-proxy: the public service ports, in
 * plaintext (Flycast is HTTP-only) and without routing headers (Fly documents none for Flycast).
 */
export function buildPlan(config: ProbeConfig, ctx: PlanContext): CheckPlan {
  const plan: CheckPlan = { checks: [], streams: [], warnings: [] };
  for (const target of config.targets) planTarget(target, ctx, plan);
  if (config.mesh.enabled) planMesh(config.mesh, ctx, plan);
  plan.checks = uniqueKeys(plan.checks, plan.warnings);
  plan.streams = uniqueKeys(plan.streams, plan.warnings);
  return plan;
}

/** Two targets with one name would share a schedule entry: keep the first, say so. */
function uniqueKeys<T extends { key: string }>(items: T[], warnings: string[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (!seen.has(item.key)) return seen.add(item.key);
    warnings.push(`duplicate check ${item.key}: target names must be unique; kept the first`);
    return false;
  });
}

function planTarget(t: TargetConfig, ctx: PlanContext, plan: CheckPlan): void {
  const regions =
    t.regions.length > 0 ? t.regions : ((t.app ? ctx.discoveredRegions.get(t.app) : undefined) ?? []);
  for (const path of t.paths) {
    if (path === 'mesh') {
      plan.warnings.push(`targets.${t.name}: the mesh path comes from the mesh section, not from a target`);
      continue;
    }
    if ((path === 'anycast' || path === 'pinned') && !t.host) {
      plan.warnings.push(`targets.${t.name}: path ${path} needs host`);
      continue;
    }
    if (path === 'private' && !t.app) {
      plan.warnings.push(`targets.${t.name}: path private needs app`);
      continue;
    }
    if ((path === 'pinned' || path === 'private') && regions.length === 0) {
      plan.warnings.push(`targets.${t.name}: path ${path} needs regions (none configured or discovered)`);
      continue;
    }
    const perRegion: readonly (RegionCode | undefined)[] = isRoutedPath(path) ? [undefined] : regions;
    for (const protocol of t.protocols) {
      for (const region of perRegion) addTargetChecks(t, path, protocol, region, ctx, plan);
    }
  }
}

function addTargetChecks(
  t: TargetConfig,
  path: NetworkPath,
  protocol: Protocol,
  region: RegionCode | undefined,
  ctx: PlanContext,
  plan: CheckPlan,
): void {
  const isPrivate = path === 'private';
  // Both private paths resolve over 6PN DNS and speak plaintext.
  const over6pn = isPrivate || path === 'flycast';
  const planned = checkType(protocol).plan({
    target: t,
    over6pn,
    base: {
      target: t.name,
      path,
      targetRegion: region,
      host: hostFor(t, path, region),
      port: portFor(t, protocol, isPrivate),
      timeoutMs: t.timeoutMs,
      resolver: over6pn ? ctx.resolver : undefined,
    },
  });
  if (!planned) return;
  plan.checks.push(plannedCheck(planned.check, t.intervalMs));
  const streams = planned.streams;
  for (let i = 0; streams && i < streams.count; i++)
    plan.streams.push(plannedStream(streams.spec, i, streams.maxLifetimeMs));
}

function hostFor(t: TargetConfig, path: NetworkPath, region: RegionCode | undefined): string {
  if (path === 'private') return `${region}.${t.app}.internal`;
  // The schema requires app or flycastHost when flycast is among the paths.
  if (path === 'flycast') return t.flycastHost ?? `${t.app}.flycast`;
  return t.host!;
}

function portFor(t: TargetConfig, protocol: Protocol, isPrivate: boolean): number {
  const publicPort = t[protocol].port;
  return isPrivate ? (t.privatePorts[protocol] ?? publicPort) : publicPort;
}

function planMesh(mesh: ProbeConfig['mesh'], ctx: PlanContext, plan: CheckPlan): void {
  for (const peer of mesh.peers) {
    if (peer.probeId === ctx.self.probeId) continue;
    const address = parseHostPort(peer.address);
    if (!address) {
      plan.warnings.push(`mesh.peers.${peer.probeId}: address ${peer.address} is not host:port`);
      continue;
    }
    for (const protocol of mesh.protocols) {
      const spec = checkType(protocol).planMesh({
        peer,
        address,
        echoPorts: ctx.echoPorts,
        base: {
          target: 'mesh',
          path: 'mesh',
          targetRegion: peer.region,
          peer: peer.probeId,
          timeoutMs: mesh.timeoutMs,
          resolver: ctx.resolver,
        },
      });
      if ('warning' in spec) plan.warnings.push(`mesh.peers.${peer.probeId}: ${spec.warning}`);
      else plan.checks.push(plannedCheck(spec, mesh.intervalMs));
    }
  }
}

function plannedCheck(spec: CheckSpec, intervalMs: number): PlannedCheck {
  const key = [spec.protocol, spec.target, spec.path, spec.targetRegion ?? '', spec.peer ?? ''].join('|');
  return { key, fingerprint: JSON.stringify([spec, intervalMs]), spec, intervalMs };
}

function plannedStream(spec: CheckSpec, index: number, maxLifetimeMs: number): PlannedStream {
  const key = ['stream', spec.target, spec.path, spec.targetRegion ?? '', String(index)].join('|');
  return { key, fingerprint: JSON.stringify([spec, maxLifetimeMs]), spec, maxLifetimeMs };
}
