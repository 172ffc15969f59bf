import { TEST_APP } from './fixtures.ts';
import { call } from './http.ts';

/** The bootstrap secrets every test collector starts with (FLYPROBE_ADMIN_TOKEN, FLYPROBE_READ_TOKEN). */
export const ADMIN_SECRET = 'admin-secret-0123456789abcdef';
export const READ_SECRET = 'read-secret-0123456789abcdef';

/** Creates a token through the admin API and returns its secret. */
export async function createToken(
  url: string,
  input: {
    role: 'probe' | 'read' | 'admin';
    probeId?: string;
    app?: string;
    region?: string;
    name?: string;
    expiresAt?: number | string;
  },
): Promise<string> {
  const r = await call(`${url}/v1/tokens`, { token: ADMIN_SECRET, body: input });
  if (r.status !== 201) throw new Error(`token creation failed: ${r.status} ${r.text}`);
  return (r.body as { secret: string }).secret;
}

/** A probe token bound to the identity `probeIdentity(probeId, region)` sends. */
export function probeToken(url: string, probeId: string, region: string, name?: string): Promise<string> {
  return createToken(url, { role: 'probe', probeId, app: TEST_APP, region, ...(name ? { name } : {}) });
}
