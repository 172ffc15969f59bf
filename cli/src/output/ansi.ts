import { sanitize } from './sanitize.ts';

/** The few ANSI SGR styles the CLI uses; colours are applied only when the output is a terminal. */
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

export type Style = keyof typeof CODES;

/** Exactly the sequences `paint` writes: the only escapes a table cell may keep (see sanitize). */
export const STYLE_SEQUENCES: ReadonlySet<string> = new Set(
  Object.values(CODES).flatMap(([open, close]) => [`\u001b[${open}m`, `\u001b[${close}m`]),
);

/** Colours `text` (made safe first: it is often data from the collector). */
export function paint(text: string, style: Style | undefined, enabled: boolean): string {
  const safe = sanitize(text);
  if (!enabled || style === undefined || safe === '') return safe;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${safe}\u001b[${close}m`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

/** Width of a string as the terminal shows it (escape sequences take no room). */
export function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, '').length;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}
