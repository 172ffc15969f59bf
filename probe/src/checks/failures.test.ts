import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check, SpecBase } from './core/check.ts';
import { CHECKS } from './index.ts';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.ts';
import { rawServer } from './testing/hostile-servers.ts';
import { specFor } from './testing/spec.ts';
import { closedPort, tcpServer } from './testing/tcp-servers.ts';
import { expectValidOnWire } from './testing/wire.ts';

/* Failures every check type classifies the same way; each type's own ones are tested in its folder. */
const servers: Server[] = [];
let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startTestDnsServer({ 'ams.target.internal': { AAAA: ['::1'] } });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await dns.close();
});

const checks: readonly Check[] = CHECKS;
const spec = (check: Check, port: number, extra: Partial<SpecBase> = {}) =>
  specFor(check, port, { target: 'broken', ...extra });

describe.each(checks)('$protocol check failures', (check) => {
  it('classifies a refused port, with no connect phase', async () => {
    const out = await check.run(spec(check, await closedPort()));
    expect(out.outcome).toBe('refused');
    expect(out.failedPhase).toBe('connect');
    expect(out.phases.connect).toBeUndefined();
    expect(out.phases.dns).toBeUndefined();
    expect(out.phases.total).toBeGreaterThan(0);
    expect(out.latencyMs).toBeUndefined();
    expect(out.errorMessage).toMatch(/ECONNREFUSED/);
  });

  it('writes an IPv6 peer bracketed in the error text', async () => {
    const port = await closedPort();
    const out = await check.run(spec(check, port, { host: '::1' }));
    expect(out.outcome).toBe('refused');
    expect(out.errorMessage).toContain(`[::1]:${port}`);
    expect(out.errorMessage).not.toMatch(new RegExp(`(^|\\s)::1:${port}`));
  });

  it('classifies a name that does not resolve as dns, with no dns phase', async () => {
    const out = await check.run(
      spec(check, 1, { host: 'gone.target.internal', path: 'private', resolver: dns.address }),
    );
    expect(out.outcome).toBe('dns');
    expect(out.failedPhase).toBe('dns');
    expect(out.phases.dns).toBeUndefined();
    expect(out.phases.connect).toBeUndefined();
    expect(dns.queries).toContain('gone.target.internal/28');
  });

  it('reports an outside cancellation as an error, not a network outcome', async () => {
    const port = await tcpServer(servers, () => {});
    const ac = new AbortController();
    const pending = check.run(spec(check, port), ac.signal);
    setTimeout(() => ac.abort(), 50);
    const out = await pending;
    expect(out.outcome).toBe('error');
    expect(out.errorMessage).toBe('cancelled');
  });
});

describe('hostile targets', () => {
  it.each(
    checks.map((c) => [c.protocol, c] as const),
  )('a port that refuses: %s is refused in connect', async (_name, check) => {
    const server = await rawServer(() => {});
    await server.close();
    const out = await check.run(spec(check, server.port, { target: 'hostile', timeoutMs: 10_000 }));
    expectValidOnWire(out);
    expect(out.outcome).toBe('refused');
    expect(out.failedPhase).toBe('connect');
  });
});
