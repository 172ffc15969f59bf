import { allRegions, type RegionCode } from '@flyprobe/shared';

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

const CATALOG = allRegions()
  .filter((r) => r.status === 'current' || r.status === 'deprecated')
  .map((r) => ({ code: r.code, city: fold(r.name.split(',')[0] ?? r.name).trim() }));

/**
 * The catalog regions a status page component names: an upper-case code as a word ("NRT", "(nrt)") or the
 * catalog city ("Tokyo"). Lower-case three-letter words are not codes ("api", "dns").
 */
export function regionsOfComponent(name: string): RegionCode[] {
  const folded = fold(name);
  const found = new Set<RegionCode>();
  for (const r of CATALOG) {
    const code = new RegExp(`(^|[^A-Za-z])(${r.code.toUpperCase()}|\\(${r.code}\\))($|[^A-Za-z])`);
    if (code.test(name) || (r.city.length > 2 && new RegExp(`(^|[^a-z])${r.city}($|[^a-z])`).test(folded)))
      found.add(r.code);
  }
  return [...found];
}
