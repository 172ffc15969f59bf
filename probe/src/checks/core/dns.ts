import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostPort, REGION_CODE_PATTERN, type RegionCode } from '@flyprobe/shared';

/** A DNS server as `Resolver.setServers` wants it. */
export interface ResolverAddress {
  host: string;
  port: number;
}

/** Parses `ip`, `ip:port`, `[v6]:port` or a bare IPv6 literal; throws an Error naming `field`. */
export function parseResolverAddress(value: string, field = 'resolver'): ResolverAddress {
  const v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  let host = v;
  let port = 53;
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (isIP(v) === 0) {
    const m = /^([^:]+):(\d+)$/.exec(v);
    if (!m) throw new Error(`${field}: "${value}" must be an IP address, ip:port or [ipv6]:port`);
    host = m[1] ?? '';
    port = Number(m[2]);
  }
  if (isIP(host) === 0) throw new Error(`${field}: "${host}" is not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${field}: port ${port} is out of range`);
  return { host, port };
}

function serverString({ host, port }: ResolverAddress): string {
  return hostPort(host, port);
}

/** A resolver bound to one server; `timeoutMs` per try, one try (the check's deadline governs). */
export function createResolver(resolver: string, timeoutMs = 2000): Resolver {
  const r = new Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 });
  r.setServers([serverString(parseResolverAddress(resolver))]);
  return r;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name: through `resolver` when given (AAAA first, then A: 6PN is IPv6), else the system
 * resolver. Aborting cancels outstanding queries.
 */
export async function resolveHost(
  host: string,
  opts: { resolver?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ResolvedAddress> {
  if (!opts.resolver) {
    const r = await lookup(host, { verbatim: true });
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  }
  const resolver = createResolver(opts.resolver, opts.timeoutMs);
  const cancel = (): void => resolver.cancel();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  try {
    try {
      const v6 = await resolver.resolve6(host);
      if (v6[0]) return { address: v6[0], family: 6 };
    } catch (err) {
      if (!isNoData(err)) throw err;
    }
    const v4 = await resolver.resolve4(host);
    if (v4[0]) return { address: v4[0], family: 4 };
    throw Object.assign(new Error(`no address for ${host}`), { code: 'ENODATA' });
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
  }
}

function isNoData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}

/** The 6PN name of an app's Machines in one region. */
export function privateHostName(region: RegionCode, app: string): string {
  return `${region}.${app}.internal`;
}

/** AAAA of `<region>.<app>.internal` through the 6PN resolver. */
export async function resolvePrivateAddress(
  region: RegionCode,
  app: string,
  resolver: string,
  timeoutMs?: number,
): Promise<string> {
  const addresses = await createResolver(resolver, timeoutMs).resolve6(privateHostName(region, app));
  const first = addresses[0];
  if (!first)
    throw Object.assign(new Error(`no AAAA for ${privateHostName(region, app)}`), { code: 'ENODATA' });
  return first;
}

/** Regions where an app has started Machines, from TXT `regions.<app>.internal` (a comma-separated list). */
export async function discoverRegions(
  app: string,
  resolver: string,
  timeoutMs?: number,
): Promise<RegionCode[]> {
  const records = await createResolver(resolver, timeoutMs).resolveTxt(`regions.${app}.internal`);
  const regions = new Set<RegionCode>();
  for (const chunks of records) {
    for (const item of chunks.join('').split(',')) {
      const code = item.trim().toLowerCase();
      if (REGION_CODE_PATTERN.test(code)) regions.add(code);
    }
  }
  return [...regions].sort();
}
