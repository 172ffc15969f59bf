import { describe, expect, it } from 'vitest';
import { resetRuleScript } from './rst.ts';

describe('resetRuleScript', () => {
  it('builds one reset rule for established flows by default, in the output chain', () => {
    const s = resetRuleScript('flyprobe_rst_0', { dport: 80, daddr: 'fdaa:0:1:ac::1' });
    expect(s).toContain('table inet flyprobe_rst_0 {');
    expect(s).toContain('type filter hook output priority 0; policy accept;');
    expect(s).toContain(
      'meta l4proto tcp tcp dport 80 ip6 daddr fdaa:0:1:ac::1 ct state established reject with tcp reset',
    );
  });

  it('can refuse new connections too, sample a share of packets, and match the input side', () => {
    const s = resetRuleScript('t1', {
      chain: 'input',
      sport: 7070,
      establishedOnly: false,
      probability: 0.25,
    });
    expect(s).toContain('hook input');
    expect(s).toContain('tcp sport 7070 numgen random mod 10000 < 2500 reject with tcp reset');
    expect(s).not.toContain('ct state');
  });

  it('matches sets of addresses and ports, and can refuse a share of new connections only', () => {
    const s = resetRuleScript('t2', {
      daddr: ['fdaa::2', 'fdaa::3'],
      dport: [8080, 7070],
      newOnly: true,
      probability: 0.1,
    });
    expect(s).toContain(
      'meta l4proto tcp tcp dport { 8080, 7070 } ip6 daddr { fdaa::2, fdaa::3 } ct state new numgen random mod 10000 < 1000 reject with tcp reset',
    );
    expect(() => resetRuleScript('t', { daddr: ['fdaa::2', '10.0.0.1'] })).toThrow(/daddr/);
  });

  it('rejects values that would inject nft syntax', () => {
    expect(() => resetRuleScript('x; flush ruleset', {})).toThrow(/table/);
    expect(() => resetRuleScript('t', { daddr: '1.2.3.4 accept' })).toThrow(/daddr/);
    expect(() => resetRuleScript('t', { dport: 70000 })).toThrow(/dport/);
    expect(() => resetRuleScript('t', { probability: 0 })).toThrow(/probability/);
  });
});
