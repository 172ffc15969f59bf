import { describe, expect, it } from 'vitest';
import { COLUMN_FIELD, columnRegion, LastColumn } from './column-region.ts';
import { PATHS } from './schema/index.ts';

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
});
