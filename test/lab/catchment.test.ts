import { describe, expect, it } from 'vitest';
import { CatchmentTable, flapEdgeAt } from './catchment.ts';

describe('CatchmentTable', () => {
  it('lands every region on its own edge by default, or on the nearest edge when it has none', () => {
    const t = new CatchmentTable(['iad', 'dfw', 'fra', 'lhr']);
    expect(t.entries()).toEqual({ iad: 'iad', dfw: 'dfw', fra: 'fra', lhr: 'lhr' });
    const partial = new CatchmentTable(['iad', 'dfw', 'fra', 'lhr'], ['iad', 'fra']);
    expect(partial.edgeFor('dfw')).toBe('iad');
    expect(partial.edgeFor('lhr')).toBe('fra');
  });

  it('misroutes and resets one source without touching the others, reporting whether anything changed', () => {
    const t = new CatchmentTable(['iad', 'dfw', 'fra', 'lhr']);
    expect(t.set('lhr', 'iad')).toBe(true);
    expect(t.set('lhr', 'iad')).toBe(false);
    expect(t.entries()).toEqual({ iad: 'iad', dfw: 'dfw', fra: 'fra', lhr: 'iad' });
    expect(t.reset('lhr')).toBe(true);
    expect(t.edgeFor('lhr')).toBe('lhr');
  });

  it('refuses unknown sources and edges with the field named', () => {
    const t = new CatchmentTable(['iad', 'dfw', 'fra', 'lhr'], ['iad', 'fra']);
    expect(() => t.set('syd', 'iad')).toThrow(/source: "syd"/);
    expect(() => t.set('lhr', 'dfw')).toThrow(/edge: "dfw"/);
  });
});

describe('flapEdgeAt', () => {
  it('cycles through the edges, each held one period', () => {
    const s = { edges: ['fra', 'iad'], periodMs: 1000 };
    expect([0, 999, 1000, 1999, 2000, 3500].map((t) => flapEdgeAt(s, t))).toEqual([
      'fra',
      'fra',
      'iad',
      'iad',
      'fra',
      'iad',
    ]);
    expect(flapEdgeAt({ edges: ['a', 'b', 'c'], periodMs: 10 }, 25)).toBe('c');
  });

  it('rejects a schedule that cannot flap', () => {
    expect(() => flapEdgeAt({ edges: ['fra'], periodMs: 1000 }, 0)).toThrow(/edges/);
    expect(() => flapEdgeAt({ edges: ['fra', 'iad'], periodMs: 0 }, 0)).toThrow(/periodMs/);
  });
});
