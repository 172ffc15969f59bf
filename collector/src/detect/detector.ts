import type { z } from 'zod';
import type { BaseConfig } from './core/config.ts';
import type { DetectionContext, Detector } from './types.ts';

/** What every detector is given: the facts the registry owns (see DetectionContext). */
export type DetectorDeps = DetectionContext;

/** A rule's settings schema: the common fields of `baseFields` and its own, each with a default. */
export type ConfigSchema = z.ZodType<BaseConfig>;

/**
 * One detection rule as a module: its folder's `index.ts` exports one of these, and `detectors.ts` lists it.
 * Everything else (the rule names, the FLYPROBE_ALERT_RULES schema, the defaults, the docs table, the
 * registry) is derived from that list.
 */
export interface DetectorModule<R extends string = string, S extends ConfigSchema = ConfigSchema> {
  readonly rule: R;
  /** For the docs' rules table: what the rule reports, and the labels that key its alerts. */
  readonly summary: string;
  readonly labels: string;
  readonly configSchema: S;
  /** `configSchema` applied to `{}`. */
  readonly defaults: z.output<S>;
  /** Problems between fields that the schema cannot express, as `field: reason` (empty when none). */
  check(config: z.output<S>): string[];
  create(config: z.output<S>, deps: DetectorDeps): Detector<R>;
  /**
   * `check` and `create` given the whole detection config, which holds this rule's under its name: so code
   * walking the list needs no cast to pair each module with its own config.
   */
  checkIn(rules: Record<R, z.output<S>>): string[];
  createIn(rules: Record<R, z.output<S>>, deps: DetectorDeps): Detector<R>;
}

/** Declares a detector module; `defaults` come from the schema, so they cannot disagree with it. */
export function defineDetector<R extends string, S extends ConfigSchema>(
  module: Pick<DetectorModule<R, S>, 'rule' | 'summary' | 'labels' | 'configSchema' | 'create'> &
    Partial<Pick<DetectorModule<R, S>, 'check'>>,
): DetectorModule<R, S> {
  const check = module.check ?? (() => []);
  return {
    ...module,
    defaults: module.configSchema.parse({}),
    check,
    checkIn: (rules) => check(rules[module.rule]),
    createIn: (rules, deps) => module.create(rules[module.rule], deps),
  };
}
