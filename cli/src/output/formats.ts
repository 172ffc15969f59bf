import { sanitize } from './sanitize.ts';

/** Machine-readable outputs: `--json` prints the data as the API returned or the command computed it. */
export function toJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** RFC 4180 CSV: quotes fields with commas, quotes or line breaks. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const field = (v: string | number | null): string => {
    const s = v === null ? '' : sanitize(String(v));
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\n')}\n`;
}

/** Human age of an epoch-ms time relative to now: "4s", "12m", "3h", "2d". */
export function formatAge(epochMs: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
