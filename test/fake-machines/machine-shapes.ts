import { randomBytes } from 'node:crypto';

/** Machine objects as the Machines API documents them (id, name, state, region, instance_id, ...). */
export interface FakeMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  private_ip: string;
  config: Record<string, unknown> & { image: string };
  image_ref: {
    registry: string;
    repository: string;
    tag: string;
    digest: string;
    labels: Record<string, string>;
  };
  created_at: string;
  updated_at: string;
  events: { type: string; status: string; source: string; timestamp: number }[];
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function machineId(): string {
  return randomBytes(7).toString('hex');
}

/** ULID-looking instance id (26 Crockford base32 characters), as the API returns. */
export function instanceId(): string {
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
