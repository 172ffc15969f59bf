import { STYLE_SEQUENCES } from '../ansi.ts';

/** Control characters left in CLI output once the CLI's own colour codes and line feeds are set aside. */
export function rawControlCharacters(output: string): string[] {
  let unstyled = output;
  for (const seq of STYLE_SEQUENCES) unstyled = unstyled.replaceAll(seq, '');
  return [...unstyled].filter((ch) => {
    const c = ch.charCodeAt(0);
    return (c < 0x20 && ch !== '\n') || (c >= 0x7f && c <= 0x9f);
  });
}
