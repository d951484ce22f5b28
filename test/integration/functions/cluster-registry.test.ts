/**
 * The cluster registry through the real Function app on the local Functions host, against Azurite: a cluster
 * registers and heartbeats over POST /api/clusters/{cluster}/registration signed with its own key; routing finds it
 * by its object's and its vault's glob partition; a changed subscription set deletes what was dropped; it goes stale
 * without heartbeats and comes back with one. Forged, replayed and notification-signed requests, and an endpoint
 * aimed at the metadata address, are refused and change nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import type { KeyVaultObjectType } from '../../../core/events/key-vault-event.js';
import { computeSignature } from '../../../core/notification/signature.js';
import { registrationHeaders, signRegistration, type SignedRegistration } from '../../../core/registry/registration-signature.js';
import { REGISTRY_TABLE } from '../../../core/registry/registry-rows.js';
import { TableClusterRegistry } from '../../../functions/adapters/table-cluster-registry.js';
import { deliveryQueueName } from '../../../functions/cluster-queues.js';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../../../scripts/functions-host/host.js';
import { keyVaultEvent } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BASE64, SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS } from '../../unit/functions/support/cluster-settings.js';
import { getTestStack } from '../support/stack-client.js';

const run = randomUUID().slice(0, 8);
const PUSH = `push-${run}`;
const QUEUE = `queue-${run}`;
const VAULT = `kv-${run}`;
const STALE_MINUTES = 10;
const key = { keyId: 'reg-2026-12', key: SIGNING_KEY_BYTES };
let host: FunctionsHost;
let registry: TableClusterRegistry;
const logs: HostLogEntry[] = [];

const nonce = (): string => randomBytes(18).toString('base64url');
const endpoint = 'https://agent.example.test:8443/v1/notifications';
const sub = (objectName: string, objectType: KeyVaultObjectType = 'Secret') => ({ vault: VAULT, objectType, objectName });
const body = (cluster: string, subscriptions: unknown[], extra: Record<string, unknown> = { delivery: 'push', endpoint }): string =>
  JSON.stringify({ cluster, ...extra, subscriptions });

function post(cluster: string, signed: SignedRegistration): Promise<Response> {
  return fetch(`${host.url}/api/clusters/${cluster}/registration`, {
    method: 'POST',
    headers: registrationHeaders(signed),
    body: signed.body,
  });
}
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const register = (cluster: string, text: string): Promise<Response> => post(cluster, signRegistration(key, nowSeconds(), nonce(), text));
const event = (objectName: string, objectType: KeyVaultObjectType = 'Secret') => keyVaultEvent({ vault: VAULT, objectName, objectType });

beforeAll(async () => {
  const storage = getTestStack().azurite.connectionString;
  registry = new TableClusterRegistry(TableClient.fromConnectionString(storage, REGISTRY_TABLE, { allowInsecureConnection: true }), STALE_MINUTES * 60_000);
  host = await startFunctionsHost({
    port: 0,
    env: {
      AKVSYNC_STORAGE: storage,
      AKVSYNC_REGISTRY_KEYS: JSON.stringify([PUSH, QUEUE].map((name) => ({ name, keyId: key.keyId, signingKey: SIGNING_KEY_BASE64 }))),
      AKVSYNC_REGISTRY_STALE_MINUTES: String(STALE_MINUTES),
      APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    },
    onLog: (e) => logs.push(e),
  });
});
afterAll(() => host.close());

describe('cluster registry (local Functions host, Azurite)', () => {
  it('serves the registration function under /api when AKVSYNC_REGISTRY_KEYS is set', () => {
    expect(host.functions).toContain('clusterRegistration');
  });

  it('registers a push cluster: routing finds it by exact object and by its vault glob, and nothing else', async () => {
    const res = await register(PUSH, body(PUSH, [sub('db-password'), sub('tls-*', 'Certificate'), sub('api-?')]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ cluster: PUSH, delivery: 'push', written: 2, deleted: 0, subscriptions: 3 });
    expect(await registry.clustersFor(event('DB-Password'))).toEqual([PUSH]);
    expect(await registry.clustersFor(event('tls-web', 'Certificate'))).toEqual([PUSH]);
    expect(await registry.clustersFor(event('api-1'))).toEqual([PUSH]);
    expect(await registry.clustersFor(event('tls-web'))).toEqual([]);
    expect(await registry.clustersFor(event('other'))).toEqual([]);
    expect(await registry.cluster(PUSH, Date.now())).toMatchObject({ delivery: 'push', endpoint, stale: false });
  });

  it('a heartbeat with the same set writes only lastHeartbeat; a changed set deletes what was dropped', async () => {
    const before = await registry.cluster(PUSH, Date.now());
    await new Promise((r) => setTimeout(r, 20));
    const beat = await register(PUSH, body(PUSH, [sub('api-?'), sub('tls-*', 'Certificate'), sub('db-password')]));
    expect(await beat.json()).toMatchObject({ written: 0, deleted: 0 });
    expect((await registry.cluster(PUSH, Date.now()))?.lastHeartbeatMs).toBeGreaterThan(before?.lastHeartbeatMs ?? Infinity);

    const changed = await register(PUSH, body(PUSH, [sub('api-?'), sub('cache-key')]));
    expect(await changed.json()).toMatchObject({ written: 2, deleted: 1 }); // glob row rewritten, cache-key added, db-password removed
    expect(await registry.clustersFor(event('db-password'))).toEqual([]);
    expect(await registry.clustersFor(event('tls-web', 'Certificate'))).toEqual([]);
    expect(await registry.clustersFor(event('cache-key'))).toEqual([PUSH]);
    expect(await registry.clustersFor(event('api-2'))).toEqual([PUSH]);
  });

  it('goes stale without heartbeats and comes back with one', async () => {
    const later = (): number => Date.now() + (STALE_MINUTES * 60 + 1) * 1000;
    const last = (await registry.cluster(PUSH, Date.now()))?.lastHeartbeatMs ?? 0;
    expect((await registry.cluster(PUSH, last + STALE_MINUTES * 60_000 + 1))?.stale).toBe(true);
    expect(await registry.clustersFor(event('cache-key'))).toEqual([PUSH]); // still routed: its deliveries take the retry path
    await register(PUSH, body(PUSH, [sub('api-?'), sub('cache-key')]));
    expect((await registry.cluster(PUSH, Date.now()))?.stale).toBe(false);
    expect((await registry.cluster(PUSH, later()))?.stale).toBe(true);
  });

  it('registers a queue-mode cluster and creates its delivery queue', async () => {
    const res = await register(QUEUE, body(QUEUE, [sub('db-password')], { delivery: 'queue' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ delivery: 'queue', queueName: deliveryQueueName(QUEUE) });
    expect(await new QueueClient(getTestStack().azurite.connectionString, deliveryQueueName(QUEUE)).exists()).toBe(true);
    expect(await registry.clustersFor(event('db-password'))).toEqual([QUEUE]);
  });

  describe('refused requests change nothing', () => {
    const unchanged = async (): Promise<void> => {
      expect(await registry.clustersFor(event('evil'))).toEqual([]);
      expect(await registry.clustersFor(event('cache-key'))).toEqual([PUSH]);
      expect((await registry.cluster(PUSH, Date.now()))?.endpoint).toBe(endpoint);
    };
    const evil = (): string => body(PUSH, [sub('evil')], { delivery: 'push', endpoint: 'https://attacker.example.test/v1/notifications' });

    it('a forged signature (another key) is refused', async () => {
      const forged = signRegistration({ keyId: key.keyId, key: randomBytes(32) }, nowSeconds(), nonce(), evil());
      const res = await post(PUSH, forged);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'bad-signature' });
      await unchanged();
    });

    it('a replayed registration (same nonce) is refused, even within the timestamp window', async () => {
      const signed = signRegistration(key, nowSeconds(), nonce(), body(PUSH, [sub('api-?'), sub('cache-key')]));
      expect((await post(PUSH, signed)).status).toBe(200);
      const again = await post(PUSH, signed);
      expect(again.status).toBe(401);
      expect(await again.json()).toEqual({ error: 'replayed-nonce' });
      await unchanged();
    });

    it("a notification's signature over the same body is refused as a registration", async () => {
      const text = evil();
      const ts = nowSeconds();
      const res = await post(PUSH, { keyId: key.keyId, timestamp: ts, nonce: nonce(), signature: computeSignature(key.key, key.keyId, ts, text), body: text });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'bad-signature' });
      await unchanged();
    });

    it('a stale timestamp, an unknown cluster and a cluster signing for another are refused', async () => {
      expect(await (await post(PUSH, signRegistration(key, nowSeconds() - 301, nonce(), evil()))).json()).toEqual({ error: 'stale-timestamp' });
      expect(await (await register(`unknown-${run}`, body(`unknown-${run}`, []))).json()).toEqual({ error: 'unknown-key' });
      const res = await register(QUEUE, evil()); // QUEUE's key (here the same bytes) signs a body naming PUSH
      expect(res.status).toBe(400);
      await unchanged();
    });

    it('an endpoint aimed at 169.254.169.254 (instance metadata) is refused with a clear error', async () => {
      const res = await register(PUSH, body(PUSH, [sub('evil')], { delivery: 'push', endpoint: 'https://169.254.169.254/v1/notifications' }));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid-registration',
        problems: ['endpoint: 169.254.169.254 is a link-local, unspecified or metadata address; notifications are never sent there'],
      });
      await unchanged();
    });
  });

  it('never logs the signing key', () => {
    const text = JSON.stringify(logs);
    for (const rendering of SIGNING_KEY_RENDERINGS) expect(text).not.toContain(rendering);
    expect(logs.some((l) => l.message.includes('registration refused'))).toBe(true);
  });
});
