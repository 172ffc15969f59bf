import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flyprobe/shared/testing';
import { type Dispatcher, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLACKHOLE_ALERTMANAGER_CONFIG,
  type Daemon,
  missing,
  startAlertmanager,
  until,
} from '../../../testing/prometheus-daemons.ts';
import { AlertEngine } from '../../engine.ts';
import { DEFAULT_DELIVERY, DeliveryWorker } from '../../outbox/worker.ts';
import { finding, tempAlertDb } from '../../testing/alert-db.ts';
import { testProviders } from '../../testing/providers.ts';
import type { Receiver } from '../../types.ts';
import { DeliveryError } from '../post.ts';
import type { Notification } from '../provider.ts';
import { type AlertmanagerOptions, AlertmanagerProvider } from './index.ts';
import { startBearerProxy } from './testing/bearer-proxy.ts';
import { makeCerts, type TestCerts } from './testing/certs.ts';
import { tlsAgent } from './tls.ts';

const skip = missing('alertmanager');

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

async function amAlerts(
  base: string,
  init: { dispatcher?: Dispatcher; headers?: Record<string, string> } = {},
): Promise<AmAlert[]> {
  const res = await request(`${base}/api/v2/alerts`, init);
  if (res.statusCode !== 200) throw new Error(`GET alerts: ${res.statusCode} ${await res.body.text()}`);
  return (await res.body.json()) as AmAlert[];
}

function receiver(url: string, secret: string | null = null): Receiver {
  return {
    id: 'env:alertmanager',
    kind: 'alertmanager',
    url,
    secret,
    name: null,
    source: 'env',
    createdAt: 0,
  };
}

function provider(opts: Partial<AlertmanagerOptions> = {}): AlertmanagerProvider {
  return new AlertmanagerProvider({
    timeoutMs: 5000,
    now: Date.now,
    firingTtlMs: 60_000,
    publicUrl: null,
    ...opts,
  });
}

const firing = (id: string): Notification => ({
  eventId: `e-${id}`,
  kind: 'firing',
  attempt: 1,
  alert: {
    id,
    fingerprint: `fp-${id}`,
    rule: 'resets',
    state: 'firing',
    labels: { rule: 'resets', target: id, region: 'sin', severity: 'critical' },
    severity: 'critical',
    scope: 'local',
    summary: `${id}: connection failures in sin`,
    evidence: {
      values: {},
      window: { from: Date.now() - 60_000, to: Date.now(), samples: 3 },
      sampleIds: [1],
    },
    startsAt: Date.now() - 1000,
    firedAt: Date.now(),
    resolvedAt: null,
    updatedAt: Date.now(),
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedBy: null,
  },
});

const shows = (base: string, target: string, init?: Parameters<typeof amAlerts>[1]) =>
  until(`alert for ${target} in ${base}`, async () =>
    (await amAlerts(base, init)).find((a) => a.labels.target === target),
  );

describe.skipIf(skip !== undefined)(
  `Alertmanager provider against the real prometheus-alertmanager${skip ? ` (${skip})` : ''}`,
  { timeout: 60_000 },
  () => {
    let dir: string;
    let am: Daemon;
    let base: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'flyprobe-am-'));
      writeFileSync(join(dir, 'alertmanager.yml'), BLACKHOLE_ALERTMANAGER_CONFIG);
      am = await startAlertmanager({ dir, configFile: join(dir, 'alertmanager.yml') });
      base = am.url;
    }, 60_000);

    afterAll(async () => {
      await am?.stop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('shows the alert with its labels while firing and resolves it when the fault clears', async () => {
      const db = tempAlertDb();
      try {
        const r = receiver(base);
        const engine = new AlertEngine(db.store, { forMs: () => 0, receivers: async () => [r] });
        const alertmanager = provider({ publicUrl: 'http://collector.example:8080' });
        const worker = new DeliveryWorker(
          {
            store: db.store,
            receivers: async () => [r],
            providers: testProviders(Date.now, { alertmanager }),
            firingAlerts: () => [],
            now: Date.now,
            log: () => undefined,
          },
          DEFAULT_DELIVERY,
        );
        await engine.apply([finding()], Date.now());
        await worker.runOnce();
        expect(await db.store.outboxCounts()).toMatchObject({ delivered: 1 });
        const shown = await until('the alert in GET /api/v2/alerts', async () =>
          (await amAlerts(base)).find((a) => a.labels.alertname === 'flyprobe_resets'),
        );
        expect(shown.labels).toEqual({
          alertname: 'flyprobe_resets',
          rule: 'resets',
          target: 'web',
          region: 'sin',
          severity: 'critical',
          scope: 'local',
        });
        expect(shown.status.state).toBe('active');
        expect(shown.annotations.summary).toBe('web: connection failures in sin');
        expect(shown.annotations.sample_result_ids).toBe('1,2');

        await engine.apply([], Date.now());
        await worker.runOnce();
        expect(await db.store.outboxCounts()).toMatchObject({ delivered: 2, pending: 0 });
        await until('the alert resolved in Alertmanager', async () => {
          const a = (await amAlerts(base)).find((x) => x.labels.alertname === 'flyprobe_resets');
          return !a || Date.parse(a.endsAt) <= Date.now() ? true : undefined;
        });
      } finally {
        db.cleanup();
      }
    });
  },
);

describe.skipIf(skip !== undefined)(
  `Alertmanager HA: every replica, auth and TLS against real prometheus-alertmanager${skip ? ` (${skip})` : ''}`,
  { timeout: 60_000 },
  () => {
    const PASSWORD = 'flyprobe-am-password';
    // bcrypt (cost 4, so each request stays cheap) of PASSWORD, for Alertmanager's web config.
    const HASH = '$2b$04$iQslTgV2Th5Z/fMm22dkBu4cRHKfI3/siOM6hPEpP72re7ftJtjXi';
    let dir: string;
    let replicas: Daemon[];
    let secured: Daemon;
    let certs: TestCerts;
    let downUrl: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'flyprobe-am-ha-'));
      certs = makeCerts(dir);
      const config = join(dir, 'alertmanager.yml');
      writeFileSync(config, BLACKHOLE_ALERTMANAGER_CONFIG);
      const web = join(dir, 'web.yml');
      writeFileSync(
        web,
        [
          'tls_server_config:',
          `  cert_file: ${certs.serverCert}`,
          `  key_file: ${certs.serverKey}`,
          '  client_auth_type: RequireAndVerifyClientCert',
          `  client_ca_file: ${certs.caFile}`,
          'basic_auth_users:',
          `  flyprobe: ${HASH}`,
          '',
        ].join('\n'),
      );
      replicas = await Promise.all([0, 1].map(() => startAlertmanager({ dir, configFile: config })));
      secured = await startAlertmanager({ dir, configFile: config, webConfigFile: web, scheme: 'https' });
      downUrl = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    }, 60_000);

    afterAll(async () => {
      await Promise.all([...(replicas ?? []), secured].map((d) => d?.stop()));
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('sends to every replica and counts as delivered while one is down, reporting the down one', async () => {
      const failed: string[] = [];
      const p = provider({ onEndpointError: (_r, url) => failed.push(url) });
      const urls = [replicas[0]?.url, downUrl, replicas[1]?.url].join(',');
      await p.deliver(receiver(urls), firing('ha'));
      for (const r of replicas) expect((await shows(r.url, 'ha')).status.state).toBe('active');
      expect(failed).toEqual([downUrl]);
    });

    it('fails, retryably, only when no replica accepts', async () => {
      const p = provider({ timeoutMs: 2000 });
      const err = await p
        .deliver(receiver(`${downUrl}, ${downUrl}/`), firing('none'))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect((err as DeliveryError).retryable).toBe(true);
      expect((err as DeliveryError).message).toMatch(
        /^every Alertmanager failed: POST http:\/\/127\.0\.0\.1/,
      );
    });

    it('speaks TLS with a CA file and a client certificate, with basic auth from the URL', async () => {
      const tls = {
        ca: certs.read(certs.caFile),
        cert: certs.read(certs.clientCert),
        key: certs.read(certs.clientKey),
        insecureSkipVerify: false,
      };
      const url = secured.url.replace('https://', `https://flyprobe:${PASSWORD}@`);
      await provider({ tls }).deliver(receiver(url), firing('tls'));
      const auth = `Basic ${Buffer.from(`flyprobe:${PASSWORD}`).toString('base64')}`;
      const shown = await shows(secured.url, 'tls', {
        dispatcher: await tlsAgent(tls),
        headers: { authorization: auth },
      });
      expect(shown.labels.alertname).toBe('flyprobe_resets');

      // A wrong password is refused by Alertmanager (401), which retrying cannot fix.
      const wrong = secured.url.replace('https://', 'https://flyprobe:wrong@');
      const err401 = await provider({ tls })
        .deliver(receiver(wrong), firing('tls'))
        .catch((e: unknown) => e);
      expect((err401 as DeliveryError).message).toMatch(/answered 401/);
      expect((err401 as DeliveryError).retryable).toBe(false);
      // Without the client certificate the handshake fails.
      const noCert = await provider({ tls: { ca: tls.ca, insecureSkipVerify: false } })
        .deliver(receiver(url), firing('tls'))
        .catch((e: unknown) => e);
      expect(noCert).toBeInstanceOf(DeliveryError);
      // Without the CA the server certificate is not trusted...
      const noCa = await provider({ tls: { cert: tls.cert, key: tls.key, insecureSkipVerify: false } })
        .deliver(receiver(url), firing('tls'))
        .catch((e: unknown) => e);
      expect((noCa as DeliveryError).message).toMatch(/certificate/i);
      // ...unless verification is skipped on purpose.
      await provider({ tls: { cert: tls.cert, key: tls.key, insecureSkipVerify: true } }).deliver(
        receiver(url),
        firing('tls-skip'),
      );
      await shows(secured.url, 'tls-skip', {
        dispatcher: await tlsAgent(tls),
        headers: { authorization: auth },
      });
    });

    it('sends the receiver secret as a bearer token (Alertmanager behind a bearer-checking proxy)', async () => {
      const token = 'bearer-token-0123456789abcdef';
      const gate = await startBearerProxy(replicas[0]?.url ?? '', token);
      try {
        const err = await provider()
          .deliver(receiver(gate.url), firing('bearer'))
          .catch((e: unknown) => e);
        expect((err as DeliveryError).message).toMatch(/answered 401/);
        await provider().deliver(receiver(gate.url, token), firing('bearer'));
        await shows(replicas[0]?.url ?? '', 'bearer');
        expect(gate.refused()).toBe(1);
      } finally {
        await gate.close();
      }
    });
  },
);
