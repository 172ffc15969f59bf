import { describe, expect, it } from 'vitest';
import { answerQuestion, type LabZone } from './answers.ts';

const zone: LabZone = {
  machines: [
    { app: 'web', id: 'm1', region: 'iad', address: 'fdaa:0:1:a7b:1::2' },
    { app: 'web', id: 'm2', region: 'fra', address: 'fdaa:0:1:a7b:2::2' },
    { app: 'web', id: 'm3', region: 'fra', address: 'fdaa:0:1:a7b:3::2' },
    { app: 'probes', id: 'p1', region: 'lhr', address: 'fdaa:0:1:a7b:4::2' },
  ],
  flycast: [
    { app: 'web', address: 'fdaa:0:1:fc::1' },
    { app: 'idle', address: 'fdaa:0:1:fc::2' },
  ],
};

describe('answerQuestion', () => {
  it('answers AAAA for <region>.<app>.internal with that region only', () => {
    expect(answerQuestion(zone, 'fra.web.internal', 'AAAA')).toEqual({
      rcode: 'NOERROR',
      records: [
        { type: 'AAAA', data: 'fdaa:0:1:a7b:2::2' },
        { type: 'AAAA', data: 'fdaa:0:1:a7b:3::2' },
      ],
    });
    expect(answerQuestion(zone, 'IAD.Web.Internal.', 'AAAA').records).toEqual([
      { type: 'AAAA', data: 'fdaa:0:1:a7b:1::2' },
    ]);
  });

  it('answers AAAA for <app>.internal and <id>.vm.<app>.internal', () => {
    expect(answerQuestion(zone, 'web.internal', 'AAAA').records).toHaveLength(3);
    expect(answerQuestion(zone, 'm2.vm.web.internal', 'AAAA').records).toEqual([
      { type: 'AAAA', data: 'fdaa:0:1:a7b:2::2' },
    ]);
  });

  it('answers TXT regions and vms in Fly format', () => {
    expect(answerQuestion(zone, 'regions.web.internal', 'TXT').records).toEqual([
      { type: 'TXT', data: 'fra,iad' },
    ]);
    expect(answerQuestion(zone, 'vms.web.internal', 'TXT').records).toEqual([
      { type: 'TXT', data: 'm1 iad,m2 fra,m3 fra' },
    ]);
  });

  it('answers AAAA for <app>.flycast with its Flycast address, also for an app with no running Machine', () => {
    expect(answerQuestion(zone, 'web.flycast', 'AAAA')).toEqual({
      rcode: 'NOERROR',
      records: [{ type: 'AAAA', data: 'fdaa:0:1:fc::1' }],
    });
    expect(answerQuestion(zone, 'Idle.Flycast.', 'AAAA').records).toEqual([
      { type: 'AAAA', data: 'fdaa:0:1:fc::2' },
    ]);
    expect(answerQuestion(zone, 'idle.internal', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'probes.flycast', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'fra.web.flycast', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'web.flycast', 'TXT')).toEqual({ rcode: 'NOERROR', records: [] });
  });

  it('answers NXDOMAIN for unknown names and an empty NOERROR for a known name of another type', () => {
    expect(answerQuestion(zone, 'syd.web.internal', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'fra.other.internal', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'fra.web.example', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'a.b.vm.web.internal', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(answerQuestion(zone, 'fra.web.internal', 'A')).toEqual({ rcode: 'NOERROR', records: [] });
    expect(answerQuestion(zone, 'regions.web.internal', 'AAAA')).toEqual({ rcode: 'NOERROR', records: [] });
  });
});
