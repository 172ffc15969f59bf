/** `value` when it is an http(s) URL; else throws naming the variable. */
export function httpUrl(name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`${name}: must be an http(s) URL, got "${value}"`);
  }
  return value;
}
