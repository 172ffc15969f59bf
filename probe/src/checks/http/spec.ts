import type { SpecBase } from '../core/check.ts';

/** One HTTP(S) GET measurement. */
export interface HttpSpec extends SpecBase {
  protocol: 'http';
  /** Request path (default `/`). */
  httpPath?: string;
  tls?: boolean;
  /** Accept any server certificate (self-signed lab targets). */
  tlsInsecure?: boolean;
  /** HTTP/2: offered by ALPN over TLS, prior knowledge (h2c) over cleartext. */
  http2?: boolean;
  /** Extra request headers (fly-force-region is added by the check for the pinned path). */
  headers?: Record<string, string>;
  /** Most response body bytes read (default 64 KiB); the rest is discarded and the connection closed. */
  maxBodyBytes?: number;
  expectStatus?: number[];
  /** Reuse one connection per check across runs (phases dns/connect/tls then appear only on reconnects). */
  keepAlive?: boolean;
}
