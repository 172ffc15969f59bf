import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDnsServer, type TestDnsServer } from '../testing/dns-server.ts';
import { discoverRegions, parseResolverAddress, resolveHost, resolvePrivateAddress } from './dns.ts';

let dns: TestDnsServer;
let dns6: TestDnsServer;
const zone = {
  'ams.target.internal': { AAAA: ['fdaa:0:1:a7b:ab2:4a7b:8e2c:2'] },
  'regions.target.internal': { TXT: ['ams,fra, LHR,not-a-region,syd'] },
  'regions.empty.internal': { TXT: [''] },
};

beforeAll(async () => {
  dns = await startTestDnsServer(zone);
  dns6 = await startTestDnsServer(zone, '::1');
});
afterAll(async () => {
  await dns.close();
  await dns6.close();
});

describe('parseResolverAddress', () => {
  it.each([
    ['fdaa::3', { host: 'fdaa::3', port: 53 }],
    ['10.0.0.1', { host: '10.0.0.1', port: 53 }],
    ['127.0.0.1:5353', { host: '127.0.0.1', port: 5353 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
    ['[fdaa::3]', { host: 'fdaa::3', port: 53 }],
  ])('%s', (input, expected) => {
    expect(parseResolverAddress(input)).toEqual(expected);
  });

  it.each([
    'dns.example.com',
    'example.com:53',
    '[::1]:99999',
    '1.2.3.4:0',
  ])('rejects %s naming the field', (bad) => {
    expect(() => parseResolverAddress(bad, 'FLYPROBE_RESOLVER')).toThrow(/^FLYPROBE_RESOLVER: /);
  });
});

describe('private path resolution', () => {
  it('resolves AAAA of <region>.<app>.internal through an IPv4 or IPv6 resolver', async () => {
    expect(await resolvePrivateAddress('ams', 'target', dns.address)).toBe('fdaa:0:1:a7b:ab2:4a7b:8e2c:2');
    expect(await resolvePrivateAddress('ams', 'target', dns6.address)).toBe('fdaa:0:1:a7b:ab2:4a7b:8e2c:2');
    expect(dns6.queries).toContain('ams.target.internal/28');
  });

  it('resolveHost prefers AAAA through a custom resolver', async () => {
    expect(await resolveHost('ams.target.internal', { resolver: dns.address })).toEqual({
      address: 'fdaa:0:1:a7b:ab2:4a7b:8e2c:2',
      family: 6,
    });
    await expect(resolveHost('nowhere.target.internal', { resolver: dns.address })).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('discovers regions from TXT regions.<app>.internal, keeping only region codes', async () => {
    expect(await discoverRegions('target', dns.address)).toEqual(['ams', 'fra', 'lhr', 'syd']);
    expect(await discoverRegions('empty', dns.address)).toEqual([]);
    await expect(discoverRegions('unknown', dns.address)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
