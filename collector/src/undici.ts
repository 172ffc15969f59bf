/**
 * undici, loaded on first use: only alert delivery and the cause sources make outgoing requests, and a
 * collector that never sends one (no receiver, off Fly) keeps its ~1 MB of source out of memory (V8 keeps the
 * source of every loaded module; bench:collector-ingest prints the collector's memory).
 */
let loaded: Promise<typeof import('undici')> | undefined;
export function undici(): Promise<typeof import('undici')> {
  loaded ??= import('undici');
  return loaded;
}
