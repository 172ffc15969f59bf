import { BlockList, isIP } from 'node:net';

/** Fly's private network (6PN): every Machine's private address lies here. */
export const SIXPN_CIDR = 'fdaa::/16';

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(cidr);
  if (!m?.[1] || !m[2]) return undefined;
  const version = isIP(m[1]);
  const prefix = Number(m[2]);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address: m[1], prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Why a CIDR is unusable, or null. */
export function cidrProblem(cidr: string): string | null {
  return parseCidr(cidr) ? null : 'is not a CIDR like 10.0.0.0/8 or fdaa::/16';
}

/** The networks a mesh echo address may lie in: 6PN plus an operator's allow-list. */
export class AddressRanges {
  private readonly list = new BlockList();
  readonly cidrs: readonly string[];

  constructor(extra: readonly string[]) {
    this.cidrs = [SIXPN_CIDR, ...extra];
    for (const cidr of this.cidrs) {
      const c = parseCidr(cidr);
      if (!c) throw new RangeError(`${cidr} ${cidrProblem(cidr)}`);
      this.list.addSubnet(c.address, c.prefix, c.family);
    }
  }

  contains(ip: string): boolean {
    const version = isIP(ip);
    return version !== 0 && this.list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * Why an advertised echo address may not be handed to other probes as a mesh target, or null. It must be
 * an IP literal and port (`[v6]:port` or `v4:port`; a name could resolve anywhere) inside `ranges`, so a
 * probe token cannot point the fleet at link-local metadata services, the internet or the collector.
 */
export function meshAddressProblem(address: string, ranges: AddressRanges): string | null {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(address) ?? /^([0-9.]+):(\d{1,5})$/.exec(address);
  if (!m?.[1] || !m[2]) return 'must be an IP address and port: [v6]:port or v4:port';
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return 'port must be from 1 to 65535';
  if (isIP(m[1]) === 0) return `"${m[1]}" is not an IP address`;
  if (!ranges.contains(m[1]))
    return `must lie in ${ranges.cidrs.join(', ')} (Fly 6PN; more with FLYPROBE_MESH_ALLOW_CIDRS)`;
  return null;
}
