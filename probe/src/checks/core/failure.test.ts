import { describe, expect, it } from 'vitest';
import { classifyError } from './failure.ts';

describe('classifyError', () => {
  it.each([
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['EADDRNOTAVAIL', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['ENOTFOUND', 'dns'],
    ['HPE_INVALID_CONSTANT', 'protocol'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
  ])('%s -> %s', (code, outcome) => {
    expect(classifyError(Object.assign(new Error('x'), { code }))).toBe(outcome);
  });

  it('looks through undici wrappers to the socket error', () => {
    const err = Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(classifyError(err)).toBe('reset');
    expect(classifyError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe(
      'eof',
    );
  });
});
