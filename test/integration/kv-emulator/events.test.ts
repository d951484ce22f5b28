/**
 * Event Grid emission to real local subscribers: the exact Azure shape and headers, retries with backoff,
 * dropped events, subscribe/unsubscribe, HTTPS subscribers with the emulator's CA, and no secret value on the wire.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueCertificate, issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Subscriber {
  url: string;
  received: Received[];
  /** Statuses to answer with, in order; 200 once exhausted. */
  statuses: number[];
  close(): Promise<void>;
}

async function startSubscriber(secure?: { keyPem: string; certPem: string }): Promise<Subscriber> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const handler: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  };
  const server = secure ? https.createServer({ key: secure.keyPem, cert: secure.certPem }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`,
    received,
    statuses,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

let t: TrustedEmulator;
let subscriber: Subscriber;
beforeAll(async () => {
  subscriber = await startSubscriber();
  t = await startTrustedEmulator({
    eventSubscribers: [subscriber.url],
    subscriptionId: 'd3b6a1f0-5c2e-4f7a-9b1d-2e8c4a6f0b13',
    resourceGroup: 'rg-events',
    eventDelivery: { attempts: 3, baseDelayMs: 5 },
  });
});
afterAll(async () => {
  await t.emulator.close();
  await subscriber.close();
});
beforeEach(() => {
  subscriber.received.length = 0;
  subscriber.statuses.length = 0;
});

describe('Event Grid events on new versions', () => {
  it('POSTs a SecretNewVersionCreated event with the exact Azure shape for a PUT through the SDK', async () => {
    const exp = Math.floor(Date.parse('2030-01-01T00:00:00Z') / 1000);
    const { properties } = await t.secretClient('alpha').setSecret('db-password', 'event-secret-value', { expiresOn: new Date(exp * 1000) });

    const deliveries = await t.emulator.waitForDeliveries();

    expect(subscriber.received).toHaveLength(1);
    const [delivery] = subscriber.received;
    expect(delivery?.headers['aeg-event-type']).toBe('Notification');
    expect(delivery?.headers['content-type']).toMatch(/^application\/json/);
    const events = JSON.parse(delivery?.body ?? '') as Record<string, unknown>[];
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(['data', 'dataVersion', 'eventTime', 'eventType', 'id', 'metadataVersion', 'subject', 'topic']);
    expect(events[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      topic: '/subscriptions/d3b6a1f0-5c2e-4f7a-9b1d-2e8c4a6f0b13/resourceGroups/rg-events/providers/Microsoft.KeyVault/vaults/alpha',
      subject: 'db-password',
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      eventTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      dataVersion: '1',
      metadataVersion: '1',
      data: {
        Id: `https://alpha.vault.azure.net/secrets/db-password/${properties.version}`,
        VaultName: 'alpha',
        ObjectType: 'Secret',
        ObjectName: 'db-password',
        Version: properties.version,
        NBF: null,
        EXP: exp,
      },
    });
    expect(t.emulator.resourceId('alpha')).toBe(events[0]?.topic);
    expect(delivery?.body).not.toContain('event-secret-value');
    expect(JSON.stringify(deliveries)).not.toContain('event-secret-value');
    expect(deliveries.at(-1)).toMatchObject({ outcome: 'delivered', attempts: 1, lastStatus: 200 });
  });

  it('emits for the setSecret backdoor but not for attribute updates or deletes', async () => {
    const { version } = t.emulator.setSecret('beta', 'rotated', 'v1');
    t.emulator.updateSecret('beta', 'rotated', { enabled: false });
    t.emulator.deleteSecret('beta', 'rotated');
    await t.emulator.waitForDeliveries();

    expect(subscriber.received).toHaveLength(1);
    const [event] = JSON.parse(subscriber.received[0]?.body ?? '[]') as { data: { Version: string; VaultName: string } }[];
    expect(event?.data).toMatchObject({ Version: version, VaultName: 'beta' });
  });

  it('retries a failing subscriber with backoff and records the outcome', async () => {
    subscriber.statuses.push(500, 503);
    t.emulator.setSecret('alpha', 'retried', 'x');
    const deliveries = await t.emulator.waitForDeliveries();

    expect(subscriber.received).toHaveLength(3);
    expect(subscriber.received.map((r) => r.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);
    expect(new Set(subscriber.received.map((r) => r.body)).size).toBe(1);
    expect(deliveries.at(-1)).toMatchObject({ outcome: 'delivered', attempts: 3, lastStatus: 200 });

    subscriber.statuses.push(500, 500, 500);
    t.emulator.setSecret('alpha', 'retried', 'y');
    expect((await t.emulator.waitForDeliveries()).at(-1)).toMatchObject({ outcome: 'failed', attempts: 3, lastStatus: 500 });
  });

  it('drops events on request, so a lost event can be simulated', async () => {
    t.emulator.dropEvents(true);
    try {
      t.emulator.setSecret('alpha', 'lost', 'x');
      const deliveries = await t.emulator.waitForDeliveries();
      expect(subscriber.received).toHaveLength(0);
      expect(deliveries.at(-1)).toMatchObject({ outcome: 'dropped', attempts: 0 });
    } finally {
      t.emulator.dropEvents(false);
    }
    t.emulator.setSecret('alpha', 'lost', 'y');
    await t.emulator.waitForDeliveries();
    expect(subscriber.received).toHaveLength(1);
  });

  it('delivers to every subscriber, including HTTPS ones with a certificate from the emulator CA, until unsubscribed', async () => {
    const secure = await startSubscriber(issueLoopbackServerCert(t.ca));
    try {
      t.emulator.subscribe(secure.url);
      t.emulator.setSecret('alpha', 'fan-out', 'x');
      await t.emulator.waitForDeliveries();
      expect(subscriber.received).toHaveLength(1);
      expect(secure.received).toHaveLength(1);
      expect(secure.received[0]?.body).toBe(subscriber.received[0]?.body);

      t.emulator.unsubscribe(secure.url);
      t.emulator.setSecret('alpha', 'fan-out', 'y');
      await t.emulator.waitForDeliveries();
      expect(secure.received).toHaveLength(1);
      expect(subscriber.received).toHaveLength(2);
    } finally {
      await secure.close();
    }
  });

  it('refuses subscribers that are not on loopback', () => {
    expect(() => t.emulator.subscribe('https://example.com/events')).toThrow(/127\.0\.0\.1/);
    expect(() => t.emulator.subscribe('http://10.0.0.1/events')).toThrow(/loopback|127\.0\.0\.1/);
  });

  it('emits CertificateNewVersionCreated and KeyNewVersionCreated for certificates and keys', async () => {
    const cert = issueCertificate(t.ca, { hosts: ['events.test'] });
    const x509 = new X509Certificate(cert.certPem);
    const { version: certVersion } = t.emulator.importCertificate('alpha', 'tls-cert', { pem: cert.keyPem + cert.certPem });
    const { version: keyVersion } = t.emulator.createKey('alpha', 'signing-key', { kty: 'EC' });
    await t.emulator.waitForDeliveries();

    const events = subscriber.received.flatMap((r) => JSON.parse(r.body) as { eventType: string; data: Record<string, unknown> }[]);
    expect(events.map((e) => e.eventType)).toEqual(['Microsoft.KeyVault.CertificateNewVersionCreated', 'Microsoft.KeyVault.KeyNewVersionCreated']);
    expect(events[0]?.data).toMatchObject({
      Id: `https://alpha.vault.azure.net/certificates/tls-cert/${certVersion}`,
      ObjectType: 'Certificate',
      NBF: Math.floor(x509.validFromDate.getTime() / 1000),
      EXP: Math.floor(x509.validToDate.getTime() / 1000),
    });
    expect(events[1]?.data).toMatchObject({ Id: `https://alpha.vault.azure.net/keys/signing-key/${keyVersion}`, ObjectType: 'Key', NBF: null, EXP: null });
    expect(JSON.stringify(events)).not.toContain('PRIVATE KEY');
  });
});
