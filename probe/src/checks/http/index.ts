import { CHECK_TARGET_OPTIONS } from '@flyprobe/shared';
import type { CheckModule } from '../core/check.ts';
import { planHttp, planHttpMesh } from './plan.ts';
import { httpCheck } from './run.ts';
import type { HttpSpec } from './spec.ts';

/** HTTP(S) GET: h1, h2 over ALPN, h2c; latencyMs = ttfb on a fresh connection. */
export const http: CheckModule<HttpSpec> = {
  protocol: 'http',
  configSchema: CHECK_TARGET_OPTIONS.http,
  plan: planHttp,
  planMesh: planHttpMesh,
  run: httpCheck.run,
};
