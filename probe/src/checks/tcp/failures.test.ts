import type { Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { specFor } from '../testing/spec.ts';
import { tcpServer } from '../testing/tcp-servers.ts';
import { tcpCheck } from './run.ts';
import type { TcpSpec } from './spec.ts';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

const spec = (port: number, extra: Partial<TcpSpec> = {}) =>
  specFor(tcpCheck, port, { target: 'broken', ...extra });

describe('tcp check failures', () => {
  it('eof: the peer closes cleanly before the echo', async () => {
    const port = await tcpServer(servers, (s) => s.end());
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('eof');
    expect(out.failedPhase).toBe('echo');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.echo).toBeUndefined();
  });

  it('reset: the peer sends RST after connect', async () => {
    const port = await tcpServer(servers, (s) => s.once('data', () => s.resetAndDestroy()));
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('reset');
    expect(out.failedPhase).toBe('echo');
  });

  it('timeout: the echo never comes back within the echo limit', async () => {
    const port = await tcpServer(servers, () => {});
    const out = await tcpCheck.run(spec(port, { phaseTimeoutMs: { echo: 150 } }));
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('echo');
    expect(out.phases.connect).toBeGreaterThan(0);
  });

  it('protocol: the answer does not carry the nonce', async () => {
    const port = await tcpServer(servers, (s) => s.once('data', () => s.write('somebody-else\n')));
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('protocol');
  });

  it('accepts a plain echo server without echo info', async () => {
    const port = await tcpServer(servers, (s) => s.on('data', (d) => s.write(d)));
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('ok');
    expect(out.echo).toBeUndefined();
    expect(out.latencyMs).toBe(out.phases.echo);
  });
});
