import { randomBytes } from 'node:crypto';
import { checkDeployableRegion, type RegionCode } from '@flyprobe/shared';

/** Names and addresses of one lab run. Pure: computing a plan touches nothing. */

/** Every namespace and interface a lab creates starts with `fp<run>` (run = 4 hex digits). */
export const LAB_NAME_PATTERN = /^fp([0-9a-f]{4})-/;
export const MIN_LAB_REGIONS = 4;
export const MAX_LAB_REGIONS = 18;

export type EndpointKind = 'machine' | 'edge' | 'collector' | 'host';

/** One TUN device of the emulator and the namespace it lives in (none for the host endpoint). */
export interface EndpointPlan {
  /** Emulator endpoint name: `<region>`, `<region>-e`, `col` or `host`. */
  name: string;
  kind: EndpointKind;
  /** Region whose delays apply; the collector has the region it is placed in; the host has none. */
  region: RegionCode | null;
  netns: string | null;
  /** Interface name, created in the root namespace and moved into `netns`. */
  ifname: string;
  /** The endpoint's unicast address (6PN style). */
  address: string;
  /** Further addresses routed to this endpoint (the host also answers DNS). */
  extraAddresses: string[];
}

export interface LabPlan {
  runId: string;
  /** `fp<run>`: prefix of every namespace and interface name. */
  prefix: string;
  app: string;
  regions: RegionCode[];
  targetRegions: RegionCode[];
  collectorRegion: RegionCode;
  /** The lab's /48, routed to the emulator in every namespace. */
  network: string;
  anycast: string;
  /** The target app's Flycast address, `<app>.flycast`: reached through the source region's own edge. */
  flycast: string;
  /** Plays `fdaa::3`, the 6PN resolver; served by the lab process in the root namespace. */
  dnsAddress: string;
  endpoints: EndpointPlan[];
}

export interface PlanInput {
  regions: RegionCode[];
  targetRegions: RegionCode[];
  app?: string;
  collectorRegion?: RegionCode;
  runId?: string;
}

export function newRunId(): string {
  return randomBytes(2).toString('hex');
}

/** Validates the region choice and lays out names and addresses. Throws an Error naming the bad field. */
export function planLab(input: PlanInput): LabPlan {
  const regions = [...new Set(input.regions.map((r) => r.trim().toLowerCase()))];
  if (regions.length < MIN_LAB_REGIONS || regions.length > MAX_LAB_REGIONS)
    throw new Error(
      `regions: a lab has ${MIN_LAB_REGIONS} to ${MAX_LAB_REGIONS} distinct regions, got ${regions.length}`,
    );
  for (const r of regions) {
    const check = checkDeployableRegion(r);
    if (!check.ok) throw new Error(`regions: ${check.message}`);
  }
  const targetRegions = [...new Set(input.targetRegions.map((r) => r.trim().toLowerCase()))];
  if (targetRegions.length === 0) throw new Error('targetRegions: at least one region must run the target');
  for (const r of targetRegions)
    if (!regions.includes(r)) throw new Error(`targetRegions: "${r}" is not one of the lab regions`);
  const collectorRegion = input.collectorRegion ?? regions[0];
  if (!collectorRegion || !regions.includes(collectorRegion))
    throw new Error(`collectorRegion: "${collectorRegion}" is not one of the lab regions`);
  const runId = input.runId ?? newRunId();
  if (!/^[0-9a-f]{4}$/.test(runId)) throw new Error('runId: must be 4 lowercase hex digits');
  const prefix = `fp${runId}`;
  // Canonical IPv6 text (no leading zeros in a group), as resolvers and the kernel print it.
  const net = `fdaa:0:${Number.parseInt(runId, 16).toString(16)}`;
  const endpoints: EndpointPlan[] = [];
  const add = (e: Omit<EndpointPlan, 'ifname'>) =>
    endpoints.push({ ...e, ifname: `${prefix}t${endpoints.length}` });
  regions.forEach((region, i) => {
    const n = (i + 1).toString(16);
    add({
      name: region,
      kind: 'machine',
      region,
      netns: `${prefix}-${region}`,
      address: `${net}:a7b:${n}::2`,
      extraAddresses: [],
    });
    add({
      name: `${region}-e`,
      kind: 'edge',
      region,
      netns: `${prefix}-${region}-e`,
      address: `${net}:a7e:${n}::2`,
      extraAddresses: [],
    });
  });
  add({
    name: 'col',
    kind: 'collector',
    region: collectorRegion,
    netns: `${prefix}-col`,
    address: `${net}:c01::2`,
    extraAddresses: [],
  });
  const dnsAddress = `${net}::3`;
  add({
    name: 'host',
    kind: 'host',
    region: null,
    netns: null,
    address: `${net}::1`,
    extraAddresses: [dnsAddress],
  });
  return {
    runId,
    prefix,
    app: input.app ?? 'lab-target',
    regions,
    targetRegions,
    collectorRegion,
    network: `${net}::/48`,
    anycast: `${net}:ac::1`,
    flycast: `${net}:fc::1`,
    dnsAddress,
    endpoints,
  };
}

export function endpointOf(plan: LabPlan, name: string): EndpointPlan {
  const e = plan.endpoints.find((x) => x.name === name);
  if (!e) throw new Error(`no lab endpoint "${name}"`);
  return e;
}

export const machineEndpoint = (plan: LabPlan, region: RegionCode) => endpointOf(plan, region);
export const edgeEndpoint = (plan: LabPlan, region: RegionCode) => endpointOf(plan, `${region}-e`);
