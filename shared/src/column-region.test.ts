import { describe, expect, it } from 'vitest';
import { COLUMN_FIELD, columnRegion, LastColumn } from './column-region.ts';
import { type NetworkPath, PATHS } from './schema/index.ts';
import { prng } from './testing/prng.ts';
import { TupleMap } from './tuple-map.ts';

describe('columnRegion', () => {
  it('puts a result in the served region column on routed paths and in the asked-for region elsewhere', () => {
    const r = { servedRegion: 'fra', targetRegion: 'ams' };
    expect(columnRegion({ ...r, path: 'anycast' })).toBe('fra');
    expect(columnRegion({ ...r, path: 'flycast' })).toBe('fra');
    expect(columnRegion({ ...r, path: 'pinned' })).toBe('ams');
    expect(columnRegion({ ...r, path: 'private' })).toBe('ams');
    expect(columnRegion({ ...r, path: 'mesh' })).toBe('ams');
    expect(columnRegion({ path: 'flycast' })).toBeUndefined();
  });

  it('names a field for every path', () => {
    expect(Object.keys(COLUMN_FIELD).sort()).toEqual([...PATHS].sort());
    expect(COLUMN_FIELD).toEqual({
      anycast: 'servedRegion',
      pinned: 'targetRegion',
      private: 'targetRegion',
      flycast: 'servedRegion',
      mesh: 'targetRegion',
    });
  });
});

describe('LastColumn', () => {
  const at = { probeRegion: 'ams', target: 'web', protocol: 'http' } as const;

  it('charges a routed failure to the last served region of its probe region, target, path and protocol', () => {
    const last = new LastColumn();
    expect(last.column({ ...at, path: 'anycast' })).toBeUndefined();
    expect(last.column({ ...at, path: 'anycast', servedRegion: 'fra' })).toBe('fra');
    expect(last.column({ ...at, path: 'anycast' })).toBe('fra');
    // Another path, protocol or probe region has its own memory.
    expect(last.column({ ...at, path: 'flycast' })).toBeUndefined();
    expect(last.column({ ...at, protocol: 'tcp', path: 'anycast' })).toBeUndefined();
    expect(last.column({ ...at, probeRegion: 'sin', path: 'anycast' })).toBeUndefined();
    expect(last.column({ ...at, path: 'anycast', servedRegion: 'sin' })).toBe('sin');
    expect(last.column({ ...at, path: 'anycast' })).toBe('sin');
  });

  it('never remembers for paths that name their region, and stops learning new keys at its bound', () => {
    const last = new LastColumn(1);
    expect(last.column({ ...at, path: 'pinned', servedRegion: 'fra', targetRegion: 'ams' })).toBe('ams');
    expect(last.column({ ...at, path: 'pinned', servedRegion: 'fra' })).toBeUndefined();
    expect(last.column({ ...at, path: 'anycast', servedRegion: 'fra' })).toBe('fra');
    expect(last.column({ ...at, path: 'flycast', servedRegion: 'fra' })).toBe('fra');
    expect(last.column({ ...at, path: 'flycast' })).toBeUndefined();
    expect(last.column({ ...at, path: 'anycast', servedRegion: 'lhr' })).toBe('lhr');
    expect(last.column({ ...at, path: 'anycast' })).toBe('lhr');
  });

  it('answers as the rule it implements over seeded random streams (bounded and unbounded)', () => {
    /** The rule written plainly: remember every routed column seen, new keys only below the bound. */
    const reference = (maxKeys: number) => {
      const last = new TupleMap<string>();
      return (r: Parameters<LastColumn['column']>[0]) => {
        const column = columnRegion(r);
        if (COLUMN_FIELD[r.path] !== 'servedRegion') return column;
        const key = [r.probeRegion, r.target, r.path, r.protocol] as const;
        if (column === undefined) return last.get(...key);
        if (last.size < maxKeys || last.get(...key) !== undefined) last.set(...key, column);
        return column;
      };
    };
    const random = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    for (const maxKeys of [0, 1, 3, Number.POSITIVE_INFINITY]) {
      const fast = new LastColumn(maxKeys);
      const plain = reference(maxKeys);
      for (let i = 0; i < 5000; i++) {
        const r = {
          probeRegion: pick(['ams', 'sin']),
          target: pick(['web', 'api']),
          path: pick(PATHS) as NetworkPath,
          protocol: pick(['http', 'tcp']),
          ...(random() < 2 / 3 && { servedRegion: pick(['fra', 'lhr', 'iad']) }),
          ...(random() < 0.5 && { targetRegion: pick(['fra', 'lhr']) }),
        };
        expect(fast.column(r), `maxKeys ${maxKeys}, result ${i}`).toBe(plain(r));
      }
    }
  });
});
