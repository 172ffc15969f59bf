import { describe, expect, it } from 'vitest';
import { parseHostPort } from './host-port.ts';

describe('parseHostPort', () => {
  it('parses names, IPv4 and bracketed IPv6', () => {
    expect(parseHostPort('a.b:80')).toEqual({ host: 'a.b', port: 80 });
    expect(parseHostPort('[fdaa::3]:8080')).toEqual({ host: 'fdaa::3', port: 8080 });
    expect(parseHostPort('fdaa::3:8080')).toBeUndefined();
    expect(parseHostPort('a.b:99999')).toBeUndefined();
  });
});
