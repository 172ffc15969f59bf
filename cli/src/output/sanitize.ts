/**
 * The one place the CLI makes text safe for a terminal: every C0 control but the line feed, DEL and every
 * C1 control (ESC, CSI, BEL, CR, backspace, ...) is shown as a visible `\xNN` escape, so text that came from
 * the collector (probe versions, reasons, addresses) can never set the terminal title, clear the screen or
 * move the cursor. `keep` lists escape sequences the CLI wrote itself (its colour codes) to leave alone.
 */
export function sanitize(text: string, keep: ReadonlySet<string> = NO_SEQUENCES): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return text.replace(/\u001b\[[0-9;]*m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (match) => {
    if (keep.has(match)) return match;
    return [...match].map(escapeControl).join('');
  });
}

const NO_SEQUENCES: ReadonlySet<string> = new Set();

function escapeControl(ch: string): string {
  const code = ch.charCodeAt(0);
  const isControl = code < 0x20 || (code >= 0x7f && code <= 0x9f);
  return isControl && ch !== '\n' ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
}
