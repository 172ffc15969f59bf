import type { ApiErrorBody, ApiErrorCode, FieldError } from '@flyprobe/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The error body and its codes are the contract's (shared/src/contract/errors.ts). */
export type { ApiErrorBody, ApiErrorCode };

/** Thrown by handlers and middleware; the error handler turns it into the JSON error body. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) },
    };
  }
}

/** Bounds on what an error echoes back, so a hostile document cannot make the answer huge. */
const MAX_FIELDS = 50;
const MAX_TEXT = 1000;

export function truncate(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A 400 naming every failing field (the first 50). */
export function validationError(fields: FieldError[], what = 'request'): ApiError {
  const shown = fields
    .slice(0, MAX_FIELDS)
    .map((f) => ({ field: truncate(f.field, 200), message: truncate(f.message, 300) }));
  const more = fields.length > shown.length ? `; and ${fields.length - shown.length} more` : '';
  const summary = shown.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ');
  return new ApiError(400, 'validation_failed', truncate(`invalid ${what}: ${summary}${more}`), shown);
}
