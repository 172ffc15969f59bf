import { randomBytes } from 'node:crypto';

/** A Machine config as the API stores it; validate.ts checks the documented fields. */
export type FakeConfig = Record<string, unknown> & {
  image: string;
  env?: Record<string, string>;
  metadata?: Record<string, string>;
};

/** `checks` entries (fly-go MachineCheckStatus). */
export interface FakeCheckStatus {
  name: string;
  status: 'passing' | 'warning' | 'critical';
  output: string;
  updated_at: string;
}

/** `events` entries (MachineEvent in the Machines OpenAPI document), newest first. */
export interface FakeEvent {
  id: string;
  type: string;
  status: string;
  source: string;
  timestamp: number;
}

/**
 * A Machine field by field as GET /v1/apps/{app}/machines/{id} returns it (fly-go machine_types.go
 * `Machine`): `config` is absent and `incomplete_config` present while `host_status` is not ok.
 */
export interface FakeMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  version: string;
  private_ip: string;
  config?: FakeConfig;
  incomplete_config?: FakeConfig;
  image_ref: {
    registry: string;
    repository: string;
    tag: string;
    digest: string;
    labels: Record<string, string>;
  };
  created_at: string;
  updated_at: string;
  events: FakeEvent[];
  checks: FakeCheckStatus[];
  host_status: 'ok' | 'unknown' | 'unreachable';
  cordoned: boolean;
  /** Only in the create answer, when the request asked for `lease_ttl`. */
  nonce?: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function machineId(): string {
  return randomBytes(7).toString('hex');
}

/** ULID-looking id (26 Crockford base32 characters), as instance ids, versions and event ids are. */
export function ulid(): string {
  return Array.from(randomBytes(26), (b) => CROCKFORD[b % 32]).join('');
}

export function privateIp(): string {
  const h = () =>
    randomBytes(2)
      .toString('hex')
      .replace(/^0+(?=.)/, '');
  return `fdaa:0:${h()}:a7b:${h()}:${h()}:${h()}:2`;
}

export function imageRef(image: string): FakeMachine['image_ref'] {
  const [name, tag = 'latest'] = image.split('@')[0]!.split(/:(?=[^/]*$)/);
  const parts = (name ?? image).split('/');
  const registry = parts.length > 1 && parts[0]!.includes('.') ? parts.shift()! : 'registry-1.docker.io';
  return {
    registry,
    repository: parts.join('/'),
    tag,
    digest: `sha256:${randomBytes(32).toString('hex')}`,
    labels: {},
  };
}

/** ISO-8601 without fractions, like the API's created_at / updated_at. */
export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Machine as the API answers: what `config` the API can read depends on the host. */
export function publicView(m: FakeMachine): FakeMachine {
  const { config, incomplete_config: _incomplete, ...rest } = structuredClone(m);
  return m.host_status === 'ok' ? { ...rest, config } : { ...rest, incomplete_config: config };
}
