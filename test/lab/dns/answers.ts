import type { RegionCode } from '@flyprobe/shared';

/** The lab's `.internal` and `.flycast` zone: what fly's 6PN resolver (`fdaa::3`) answers about the lab's apps. Pure. */

export interface ZoneMachine {
  app: string;
  id: string;
  region: RegionCode;
  address: string;
}

/** An app's Flycast address (`fly ips allocate-v6 --private`). */
export interface ZoneFlycast {
  app: string;
  address: string;
}

export interface LabZone {
  /** Running Machines: a stopped one disappears from `.internal`, as on Fly. */
  machines: readonly ZoneMachine[];
  /** Flycast addresses: `<app>.flycast` resolves whether or not any Machine runs (fly-proxy wakes them). */
  flycast: readonly ZoneFlycast[];
}

export type ZoneRecord = { type: 'AAAA'; data: string } | { type: 'TXT'; data: string };

export type ZoneAnswer = { rcode: 'NOERROR'; records: ZoneRecord[] } | { rcode: 'NXDOMAIN'; records: [] };

const NX: ZoneAnswer = { rcode: 'NXDOMAIN', records: [] };

/**
 * Names answered (the subset of Fly's 6PN DNS the probe uses):
 * AAAA `<app>.internal`, `<region>.<app>.internal`, `<machine>.vm.<app>.internal`, `<app>.flycast`;
 * TXT `regions.<app>.internal` ("iad,fra"), `vms.<app>.internal` ("<id> <region>,...").
 * A known name asked with another type answers NOERROR with no records; an unknown name NXDOMAIN.
 */
export function answerQuestion(zone: LabZone, name: string, type: string): ZoneAnswer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length === 2 && labels[1] === 'flycast') {
    const flycast = zone.flycast.filter((f) => f.app === labels[0]);
    if (flycast.length === 0) return NX;
    return {
      rcode: 'NOERROR',
      records: type === 'AAAA' ? flycast.map((f) => ({ type: 'AAAA', data: f.address })) : [],
    };
  }
  if (labels.length < 2 || labels.at(-1) !== 'internal') return NX;
  const app = labels.at(-2) as string;
  const ofApp = zone.machines.filter((m) => m.app === app);
  if (ofApp.length === 0) return NX;
  const rest = labels.slice(0, -2);
  const aaaa = (ms: ZoneMachine[]): ZoneAnswer =>
    ms.length === 0
      ? NX
      : {
          rcode: 'NOERROR',
          records: type === 'AAAA' ? ms.map((m) => ({ type: 'AAAA', data: m.address })) : [],
        };
  const txt = (data: string): ZoneAnswer => ({
    rcode: 'NOERROR',
    records: type === 'TXT' ? [{ type: 'TXT', data }] : [],
  });
  if (rest.length === 0) return aaaa(ofApp);
  if (rest.length === 1) {
    const [label] = rest as [string];
    if (label === 'regions') return txt([...new Set(ofApp.map((m) => m.region))].sort().join(','));
    if (label === 'vms') return txt(ofApp.map((m) => `${m.id} ${m.region}`).join(','));
    return aaaa(ofApp.filter((m) => m.region === label));
  }
  if (rest.length === 2 && rest[1] === 'vm') return aaaa(ofApp.filter((m) => m.id === rest[0]));
  return NX;
}
