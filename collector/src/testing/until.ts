/**
 * Polls `probe` until it returns a value; throws naming `what` after `timeoutMs`. A probe that throws fails
 * the wait at once unless `ignoreErrors` (a daemon still starting answers with errors).
 */
export async function until<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  opts: { everyMs?: number; ignoreErrors?: boolean } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await (opts.ignoreErrors ? probe().catch(() => undefined) : probe());
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, opts.everyMs ?? 50));
  }
}
