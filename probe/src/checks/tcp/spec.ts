import type { SpecBase } from '../core/check.ts';

/** One TCP connect and echo round trip: nothing beyond what every measurement carries. */
export interface TcpSpec extends SpecBase {
  protocol: 'tcp';
}
