export {
  type DetectionConfig,
  type DetectionConfigInput,
  defaultDetectionConfig,
  parseDetectionConfig,
} from './config.ts';
export { DetectorRegistry } from './registry.ts';
export type {
  Detector,
  Evidence,
  Finding,
  HeartbeatObservation,
  RuleName,
  Scope,
  Severity,
} from './types.ts';
export { RULES } from './types.ts';
