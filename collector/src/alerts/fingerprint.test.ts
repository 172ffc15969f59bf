import { createHash } from 'node:crypto';
import { prng } from '@flyprobe/shared/testing';
import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.ts';

describe('fingerprint', () => {
  it('keeps the identities stored alerts already carry (values computed before the cache existed)', () => {
    expect(
      fingerprint('loss', {
        target: 'web',
        probe_region: 'iad',
        region: 'fra',
        severity: 'warning',
        rule: 'loss',
      }),
    ).toBe('913356d60e0c0704');
    expect(
      fingerprint('misroute', {
        target: 'web',
        path: 'anycast',
        protocol: 'http',
        probe_region: 'lhr',
        region: 'iad',
      }),
    ).toBe('7d1be31e26391581');
  });

  it('gives each label set one fingerprint, whatever the key order, and distinct sets distinct ones, across cache restarts (seeded)', () => {
    const rnd = prng(17);
    const pick = (xs: readonly string[]) => xs[Math.floor(rnd() * xs.length)] as string;
    const seen = new Map<string, string>();
    // More distinct label sets than the cache holds, each asked for several times in shuffled key order.
    for (let i = 0; i < 20_000; i++) {
      const rule = pick(['loss', 'resets', 'misroute', 'latency']);
      const entries: [string, string][] = [
        ['target', `t${Math.floor(rnd() * 40)}`],
        ['probe_region', pick(['iad', 'fra', 'sin', 'syd', 'gru'])],
        ['region', pick(['iad', 'fra', 'sin', 'syd', 'gru'])],
        ['path', pick(['anycast', 'pinned', 'private'])],
      ].sort(() => rnd() - 0.5) as [string, string][];
      if (rnd() < 0.5) entries.push(['severity', pick(['warning', 'critical'])]);
      const identity = `${rule}|${entries
        .filter(([k]) => k !== 'severity')
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(',')}`;
      const fp = fingerprint(rule, Object.fromEntries(entries));
      expect(fp).toMatch(/^[0-9a-f]{16}$/);
      const before = seen.get(identity);
      if (before === undefined) seen.set(identity, fp);
      else expect(fp).toBe(before);
    }
    expect(seen.size).toBeGreaterThan(4096);
    expect(new Set(seen.values()).size).toBe(seen.size);
  });

  it('hashes the rule and the sorted identity labels, one name=value per line (random label sets, seeded)', () => {
    const rnd = prng(23);
    const names = [
      'target',
      'probe_region',
      'region',
      'path',
      'protocol',
      'kind',
      'scope',
      'severity',
      'rule',
      'a',
      'Z',
    ];
    for (let i = 0; i < 2000; i++) {
      const labels: Record<string, string> = {};
      for (const name of names) if (rnd() < 0.4) labels[name] = `v${Math.floor(rnd() * 5)}`;
      const parts = Object.keys(labels)
        .filter((k) => k !== 'rule' && k !== 'severity')
        .sort()
        .map((k) => `${k}=${labels[k]}`);
      const text = `resets\n${parts.join('\n')}`;
      const expected = createHash('sha256').update(text).digest('hex').slice(0, 16);
      expect(fingerprint('resets', labels)).toBe(expected);
    }
  });
});
