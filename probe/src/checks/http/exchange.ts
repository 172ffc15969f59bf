/** One request/response on a connection, as the check reports it. */
export interface Exchange {
  status: number;
  contentType: string | undefined;
  /** Fly-Request-Id (its suffix names the edge region). */
  requestId: string | undefined;
  /** Body bytes read. */
  bytes: number;
  /** The body, kept for JSON answers only (echo info); undefined otherwise or when capped. */
  body: Buffer | undefined;
  /** The body passed the cap and was not read to the end. */
  capped: boolean;
  /** The response was read to its end on a connection that may carry another request. */
  reusable: boolean;
}
