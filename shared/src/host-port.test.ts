import { createConnection, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bracketAddressesBefore, bracketErrorAddress, hostPort, urlHost } from './host-port.ts';

describe('hostPort', () => {
  it('brackets IPv6 literals only', () => {
    expect(hostPort('fdaa:77::13', 8080)).toBe('[fdaa:77::13]:8080');
    expect(hostPort('::', '8080')).toBe('[::]:8080');
    expect(hostPort('10.0.0.1', 53)).toBe('10.0.0.1:53');
    expect(hostPort('flyprobe-collector.internal', 8080)).toBe('flyprobe-collector.internal:8080');
    expect(urlHost('[::1]')).toBe('[::1]');
  });
});

describe('bracketErrorAddress', () => {
  it("rewrites Node's own ECONNREFUSED message for an IPv6 peer", async () => {
    // A port that was just free on ::1: connecting to it is refused.
    const server = createServer().listen(0, '::1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const err = await new Promise<Error>((resolve) => {
      createConnection({ host: '::1', port }).once('error', resolve);
    });
    expect(err.message).toBe(`connect ECONNREFUSED ::1:${port}`);
    expect(bracketErrorAddress(err.message, err)).toBe(`connect ECONNREFUSED [::1]:${port}`);
  });

  it('brackets by a known port in flattened text (grpc-js) and leaves bracketed ones alone', () => {
    expect(bracketAddressesBefore('Last error: connect ECONNREFUSED fdaa:77::13:8080. note', 8080)).toBe(
      'Last error: connect ECONNREFUSED [fdaa:77::13]:8080. note',
    );
    expect(bracketAddressesBefore('to [fdaa::3]:53 and ::1:53', 53)).toBe('to [fdaa::3]:53 and [::1]:53');
    expect(bracketAddressesBefore('fdaa::13:80801', 8080)).toBe('fdaa::13:80801');
  });

  it('leaves IPv4 and address-less errors alone', () => {
    const v4 = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      address: '127.0.0.1',
      port: 1,
    });
    expect(bracketErrorAddress(v4.message, v4)).toBe(v4.message);
    expect(bracketErrorAddress('boom', new Error('boom'))).toBe('boom');
  });
});
