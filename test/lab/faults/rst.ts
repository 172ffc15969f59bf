/** nftables rules that reset matching TCP flows inside one namespace (the RST-injection fault). Pure. */

export interface ResetMatch {
  /** `output`: the namespace's own connections are reset; `input`: connections arriving there are. */
  chain?: 'input' | 'output';
  dport?: number;
  sport?: number;
  /** Only packets to this address (e.g. the anycast address). */
  daddr?: string;
  /** Reset only established flows (mid-stream resets) instead of also refusing new connections. Default true. */
  establishedOnly?: boolean;
  /** Share of matching packets answered with a reset, 0..1. Default 1. */
  probability?: number;
}

const port = (p: number | undefined, field: string) => {
  if (p === undefined) return undefined;
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${field}: must be a port 1..65535`);
  return p;
};

/** An `nft -f` script creating table `inet <table>` with one reset rule. */
export function resetRuleScript(table: string, match: ResetMatch): string {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(table)) throw new Error('table: lowercase letters, digits and _ only');
  const chain = match.chain ?? 'output';
  const parts = ['meta l4proto tcp'];
  const dport = port(match.dport, 'dport');
  const sport = port(match.sport, 'sport');
  if (dport !== undefined) parts.push(`tcp dport ${dport}`);
  if (sport !== undefined) parts.push(`tcp sport ${sport}`);
  if (match.daddr !== undefined) {
    if (!/^[0-9a-f:.]+$/i.test(match.daddr)) throw new Error('daddr: must be an IP address');
    parts.push(`${match.daddr.includes(':') ? 'ip6' : 'ip'} daddr ${match.daddr}`);
  }
  if (match.establishedOnly ?? true) parts.push('ct state established');
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
