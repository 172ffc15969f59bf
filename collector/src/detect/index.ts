export {
  type DetectionConfig,
  type DetectionConfigInput,
  defaultDetectionConfig,
  parseDetectionConfig,
} from './config.ts';
export { type DetectorDeps, type DetectorModule, defineDetector } from './detector.ts';
export { DETECTORS, RULES } from './detectors.ts';
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
