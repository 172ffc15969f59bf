/** Pulls the human message out of an API error body: `{error: "..."}`, `{error: {message}}`, `{message}` or text. */
export function apiErrorMessage(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '';
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      if (typeof o.error === 'string') return o.error;
      if (o.error && typeof o.error === 'object') {
        const inner = o.error as Record<string, unknown>;
        if (typeof inner.message === 'string') return inner.message;
      }
      if (typeof o.message === 'string') return o.message;
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}...` : trimmed;
}
