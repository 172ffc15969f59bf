import { isIP } from 'node:net';

/** A host as it goes before `:port` or into a URL: an IPv6 literal in brackets, anything else as it is. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** `[fdaa:77::13]:8080` or `10.0.0.1:8080` or `example.com:443`: the one way flyprobe writes host and port. */
export function hostPort(host: string, port: number | string): string {
  return `${urlHost(host)}:${port}`;
}

/**
 * Node's socket errors say `connect ECONNREFUSED fdaa:77::13:8080`, which reads as another address
 * (`fdaa:77::13:8080` is itself valid IPv6). Knowing the port, this brackets every IPv6 address written
 * right before `:<port>` in a message.
 */
export function bracketAddressesBefore(message: string, port: number): string {
  return message.replace(
    new RegExp(`(^|[^\\[0-9A-Fa-f:])([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*):${port}(?!\\d)`, 'g'),
    (all, lead: string, addr: string) => (isIP(addr) === 6 ? `${lead}${hostPort(addr, port)}` : all),
  );
}

/** The same, with the port from the socket error itself (or its `cause`): Node's errors carry `port`. */
export function bracketErrorAddress(message: string, err: unknown): string {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && typeof cur === 'object' && cur !== null; depth++) {
    const { port, cause } = cur as { port?: unknown; cause?: unknown };
    if (typeof port === 'number') return bracketAddressesBefore(message, port);
    cur = cause;
  }
  return message;
}
