import { asymmetry } from './asymmetry/index.ts';
import { flapping } from './flapping/index.ts';
import { latency } from './latency/index.ts';
import { loss } from './loss/index.ts';
import { misroute } from './misroute/index.ts';
import { probeDegraded } from './probe-degraded/index.ts';
import { resets } from './resets/index.ts';
import { restart } from './restart/index.ts';

/**
 * Every detector, in evaluation order. Adding one: a folder `<rule>/` whose `index.ts` exports a
 * `defineDetector(...)` module, and its entry here.
 */
export const DETECTORS = [
  misroute,
  asymmetry,
  resets,
  loss,
  flapping,
  latency,
  restart,
  probeDegraded,
] as const;

export type DetectorModules = (typeof DETECTORS)[number];
export type RuleName = DetectorModules['rule'];

export const RULES: readonly RuleName[] = DETECTORS.map((d) => d.rule);
