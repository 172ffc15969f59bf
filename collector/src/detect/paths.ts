/**
 * Paths through Fly's proxy whose column is the served region (anycast, and flycast once the wire enum has
 * it): one rule for every proxied path, so a new one is judged like anycast without touching the detectors.
 */
const PROXIED_PATHS: ReadonlySet<string> = new Set(['anycast', 'flycast']);

export function isProxiedPath(path: string): boolean {
  return PROXIED_PATHS.has(path);
}
