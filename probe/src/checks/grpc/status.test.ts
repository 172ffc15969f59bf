import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { GRPC_STATUS } from './status.ts';

describe('GRPC_STATUS', () => {
  it('carries the same codes as grpc-js', () => {
    for (const [name, code] of Object.entries(GRPC_STATUS)) {
      expect(code, name).toBe(status[name as keyof typeof status]);
    }
  });
});
