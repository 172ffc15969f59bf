/** Largest epoch ms a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * A timestamp given as Unix epoch milliseconds (digits only) or an RFC 3339 date-time with a zone
 * (`2026-12-01T10:00:00Z`, `...+02:00`); undefined for anything else. Stricter than Date.parse, which reads
 * `-5` or `hello 1` as dates in 2001 and rolls `02-31` over into March.
 */
export function parseTimestamp(text: string): number | undefined {
  if (/^\d{1,16}$/.test(text)) {
    const ms = Number(text);
    return ms <= MAX_DATE_MS ? ms : undefined;
  }
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // Date.UTC would read years below 100 as 19xx
  if (date.getUTCDate() !== d) return undefined;
  const day = date.getTime();
  const fraction = Number(`0.${m[7] ?? '0'}`) * 1000;
  let offsetMin = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return day + ((h * 60 + mi - offsetMin) * 60 + s) * 1000 + Math.floor(fraction);
}
