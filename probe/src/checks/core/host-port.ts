/** `host:port` or `[v6]:port`; the host comes back without brackets. */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address.trim());
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}
