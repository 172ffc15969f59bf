import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { undici } from '../../../undici.ts';

/** TLS towards Alertmanager (FLYPROBE_ALERTMANAGER_* variables), as in Prometheus' `tls_config`. */
export interface AlertmanagerTls {
  /** PEM CA bundle that signs the Alertmanager certificates (instead of the system roots). */
  ca?: string;
  /** PEM client certificate and key, for Alertmanagers that require client certificates. */
  cert?: string;
  key?: string;
  insecureSkipVerify: boolean;
}

/** Reads the TLS files named in the environment; throws naming the variable. Null when none is set. */
export function alertmanagerTlsFromEnv(env: NodeJS.ProcessEnv): AlertmanagerTls | null {
  const file = (name: string): string | undefined => {
    const path = env[name]?.trim();
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${name}: cannot read "${path}": ${(error as Error).message}`);
    }
  };
  const ca = file('FLYPROBE_ALERTMANAGER_CA_FILE');
  const cert = file('FLYPROBE_ALERTMANAGER_CERT_FILE');
  const key = file('FLYPROBE_ALERTMANAGER_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(
      'FLYPROBE_ALERTMANAGER_CERT_FILE and FLYPROBE_ALERTMANAGER_KEY_FILE: set both or neither',
    );
  }
  const skip = env.FLYPROBE_ALERTMANAGER_INSECURE_SKIP_VERIFY?.trim().toLowerCase();
  if (skip && !['true', 'false', '1', '0'].includes(skip)) {
    throw new Error(`FLYPROBE_ALERTMANAGER_INSECURE_SKIP_VERIFY: must be true or false, got "${skip}"`);
  }
  const insecureSkipVerify = skip === 'true' || skip === '1';
  if (!ca && !cert && !insecureSkipVerify) return null;
  return { ca, cert, key, insecureSkipVerify };
}

/** An undici dispatcher applying the TLS options (one per provider: it pools connections). */
export async function tlsAgent(tls: AlertmanagerTls): Promise<Dispatcher> {
  const { Agent } = await undici();
  return new Agent({
    connect: {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      rejectUnauthorized: !tls.insecureSkipVerify,
    },
  });
}
