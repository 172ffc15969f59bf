import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { GRPC_STATUS, grpcOutcome } from './status.ts';

describe('GRPC_STATUS', () => {
  it('carries the same codes as grpc-js', () => {
    for (const [name, code] of Object.entries(GRPC_STATUS)) {
      expect(code, name).toBe(status[name as keyof typeof status]);
    }
  });
});

describe('grpcOutcome', () => {
  it.each([
    [
      status.UNAVAILABLE,
      'No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.1:50051',
      'refused',
    ],
    [status.UNAVAILABLE, 'read ECONNRESET', 'reset'],
    [status.UNAVAILABLE, 'Connection dropped', 'reset'],
    [status.INTERNAL, 'Received RST_STREAM with code 2 (Internal server error)', 'reset'],
    [status.UNAVAILABLE, 'connect EHOSTUNREACH fdaa::3:50051', 'unreachable'],
    [status.UNAVAILABLE, 'Last error: Error: self-signed certificate', 'tls'],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded', 'timeout'],
    [status.UNIMPLEMENTED, 'unknown service', 'grpc_status'],
    [status.UNAVAILABLE, 'server is draining', 'grpc_status'],
  ])('code %i "%s" -> %s', (code, details, outcome) => {
    expect(grpcOutcome({ code, details })).toBe(outcome);
  });
});
