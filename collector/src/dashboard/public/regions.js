// Region catalog from /v1/regions: names, and a geographic order (west to east by longitude).
let catalog = new Map();

export function setCatalog(regions) {
  catalog = new Map(regions.map((r) => [r.code, r]));
}

export const regionName = (code) => catalog.get(code)?.name ?? code;

/** West to east, so neighbouring rows and columns are neighbours on the map; unknown codes last. */
export function byGeography(codes) {
  const lon = (c) => catalog.get(c)?.lon ?? Number.POSITIVE_INFINITY;
  return [...new Set(codes)].sort((a, b) => lon(a) - lon(b) || a.localeCompare(b));
}

const PALETTE = [
  '#5b8def',
  '#e5a03a',
  '#3fb68b',
  '#d9609a',
  '#9d7cf0',
  '#48b7d1',
  '#e07a4f',
  '#a5c34a',
  '#c98bd9',
  '#e0c04a',
  '#5fc3a5',
  '#ef6b6b',
];

/** A colour per region, stable for a given ordered list of regions. */
export function regionColours(ordered) {
  return new Map(ordered.map((code, i) => [code, PALETTE[i % PALETTE.length]]));
}
