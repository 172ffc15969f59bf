import { describe, expect, it } from 'vitest';
import { edgeFromRequestId } from './fly-headers.ts';

describe('edgeFromRequestId', () => {
  it('reads the edge region suffix', () => {
    expect(edgeFromRequestId('01HZX3Q4M5N6P7R8S9T0V1W2X3-ams')).toBe('ams');
  });
  it('accepts edge-only and unknown codes', () => {
    expect(edgeFromRequestId('01HZX3Q4M5N6P7R8S9T0V1W2X3-dxb')).toBe('dxb');
  });
  it('returns undefined for absent or malformed ids', () => {
    expect(edgeFromRequestId(undefined)).toBeUndefined();
    expect(edgeFromRequestId('abc-ams')).toBeUndefined();
    expect(edgeFromRequestId('01HZX3Q4M5N6P7R8S9T0V1W2X3-amsx')).toBeUndefined();
  });
});
