import { CHECK_TARGET_OPTIONS } from '@flyprobe/shared';
import type { CheckModule } from '../core/check.ts';
import { planTcp, planTcpMesh } from './plan.ts';
import { tcpCheck } from './run.ts';
import type { TcpSpec } from './spec.ts';

/** TCP connect and one echo line round trip; latencyMs = the echo round trip. */
export const tcp: CheckModule<TcpSpec> = {
  protocol: 'tcp',
  configSchema: CHECK_TARGET_OPTIONS.tcp,
  plan: planTcp,
  planMesh: planTcpMesh,
  run: tcpCheck.run,
};
