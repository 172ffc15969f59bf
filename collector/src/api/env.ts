import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenRole } from '../store/store.ts';

/** Who is calling, as established by the bearer-token middleware. */
export interface Caller {
  role: TokenRole;
  /** Store token id, or `bootstrap:admin` / `bootstrap:read` for the secrets from the environment. */
  tokenId: string;
  /** For probe tokens: the identity the token is bound to; null for unbound (lab mode) and other roles. */
  binding: ProbeBinding | null;
}

/** What a bound probe token may speak for: one probe id, in one app, in one region. */
export interface ProbeBinding {
  probeId: string;
  app: string;
  region: string;
}

/** Hono environment of every API route. */
export interface ApiEnv {
  /** Set by @hono/node-server; absent under `app.request()`. */
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: { caller: Caller };
}
