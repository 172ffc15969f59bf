import type { FieldError } from '@flyprobe/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Error codes the API answers with; stable strings clients may branch on. */
export type ApiErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'shutting_down'
  | 'unavailable'
  | 'internal';

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; fields?: FieldError[] };
}

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
