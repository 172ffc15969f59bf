/** nftables rules that reset matching TCP flows inside one namespace (the RST-injection fault). Pure. */

export interface ResetMatch {
  /** `output`: the namespace's own connections are reset; `input`: connections arriving there are. */
  chain?: 'input' | 'output';
  /** One port or several (an nft set). */
  dport?: number | number[];
  sport?: number;
  /** Only packets to this address or these addresses (e.g. the anycast address). */
  daddr?: string | string[];
  /** Reset only established flows (mid-stream resets) instead of also refusing new connections. Default true. */
  establishedOnly?: boolean;
  /**
   * Only the first packet of new connections (a SYN): `probability` is then the share of connections refused,
   * whatever their length. Overrides `establishedOnly`.
   */
  newOnly?: boolean;
  /** Share of matching packets answered with a reset, 0..1. Default 1. */
  probability?: number;
}

const port = (p: number | undefined, field: string) => {
  if (p === undefined) return undefined;
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${field}: must be a port 1..65535`);
  return p;
};

/** One value, or an nft anonymous set of several. */
const oneOrSet = (values: string[]) =>
  values.length === 1 ? (values[0] as string) : `{ ${values.join(', ')} }`;

/** An `nft -f` script creating table `inet <table>` with one reset rule. */
export function resetRuleScript(table: string, match: ResetMatch): string {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(table)) throw new Error('table: lowercase letters, digits and _ only');
  const chain = match.chain ?? 'output';
  const parts = ['meta l4proto tcp'];
  const dports = (
    Array.isArray(match.dport) ? match.dport : match.dport === undefined ? [] : [match.dport]
  ).map((p) => String(port(p, 'dport')));
  const sport = port(match.sport, 'sport');
  if (dports.length > 0) parts.push(`tcp dport ${oneOrSet(dports)}`);
  if (sport !== undefined) parts.push(`tcp sport ${sport}`);
  const daddrs = Array.isArray(match.daddr) ? match.daddr : match.daddr === undefined ? [] : [match.daddr];
  if (daddrs.length > 0) {
    if (!daddrs.every((a) => /^[0-9a-f:.]+$/i.test(a))) throw new Error('daddr: must be IP addresses');
    const families = new Set(daddrs.map((a) => (a.includes(':') ? 'ip6' : 'ip')));
    if (families.size > 1) throw new Error('daddr: must all be IPv6 or all IPv4');
    parts.push(`${[...families][0]} daddr ${oneOrSet(daddrs)}`);
  }
  if (match.newOnly) parts.push('ct state new');
  else if (match.establishedOnly ?? true) parts.push('ct state established');
  const p = match.probability ?? 1;
  if (!(p > 0 && p <= 1)) throw new Error('probability: must be within (0, 1]');
  if (p < 1) parts.push(`numgen random mod 10000 < ${Math.round(p * 10000)}`);
  parts.push('reject with tcp reset');
  return [
    `table inet ${table} {`,
    `  chain ${chain} {`,
    `    type filter hook ${chain} priority 0; policy accept;`,
    `    ${parts.join(' ')}`,
    '  }',
    '}',
    '',
  ].join('\n');
}
