import { formatFieldErrors, parseWith } from '@flyprobe/shared';
import { z } from 'zod';
import { positiveInt, ratio } from './core/config.ts';
import type { ConfigSchema } from './detector.ts';
import { DETECTORS, type DetectorModules } from './detectors.ts';

/** Per-rule settings, one key per detector, each its module's schema (an absent rule gets its defaults). */
type RuleShape = { [M in DetectorModules as M['rule']]: z.ZodPrefault<M['configSchema']> };

const rules = Object.fromEntries(
  DETECTORS.map((d): [string, z.ZodType] => [d.rule, (d.configSchema as ConfigSchema).prefault({})]),
) as RuleShape;

export const detectionConfig = z.strictObject({
  ...rules,
  scope: z
    .strictObject({
      /** A finding seen from at least this share of a target's active probe regions is global. */
      globalFraction: ratio.default(0.75),
      minRegions: positiveInt.default(2),
    })
    .prefault({}),
});

export type DetectionConfig = z.infer<typeof detectionConfig>;
export type DetectionConfigInput = z.input<typeof detectionConfig>;

/** Validates rule overrides (e.g. from FLYPROBE_ALERT_RULES); throws naming every bad field. */
export function parseDetectionConfig(input: unknown): DetectionConfig {
  const r = parseWith(detectionConfig, input ?? {});
  if (!r.ok) throw new Error(`invalid alert rules: ${formatFieldErrors(r.errors)}`);
  const c = r.value;
  const problems = DETECTORS.flatMap((d) => d.checkIn(c).map((p) => `${d.rule}.${p}`));
  if (problems.length > 0) throw new Error(`invalid alert rules: ${problems.join('; ')}`);
  return c;
}

export function defaultDetectionConfig(): DetectionConfig {
  return parseDetectionConfig({});
}
