import type { Reporter } from '../reporter/reporter.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';

/** The parts started later that earlier ones read from (health and metrics read buffer and schedule figures). */
export interface LateParts {
  reporter?: Reporter;
  scheduler?: Scheduler;
}
