import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenRole } from '../store/store.ts';

/** Who is calling, as established by the bearer-token middleware. */
export interface Caller {
  role: TokenRole;
  /** Store token id, or `bootstrap:admin` / `bootstrap:read` for the secrets from the environment. */
  tokenId: string;
  /** For probe tokens bound to one probe. */
  probeId: string | null;
}

/** Hono environment of every API route. */
export interface ApiEnv {
  /** Set by @hono/node-server; absent under `app.request()`. */
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: { caller: Caller };
}
