/**
 * A registered push cluster end to end (issue items 2, 6, 7): the real agent registers with the real Function app on
 * the local Functions host (POST /api/clusters/{cluster}/registration, signed with the key `npm run onboard` stored in
 * the Key Vault emulator, which the Function reads with its own identity), its subscription set computed from its
 * CRs; it heartbeats; a rotation in the emulator reaches its Secret and rolls the Deployment. When the agent is down
 * the cluster goes stale (a 6 s stale window here), a rotation meanwhile waits in the retry path, and it is delivered
 * when a new agent registers again. Forged and unknown-cluster registrations are refused. The agents' fallback check is
 * out of reach (1 h): every change that arrives is a notification.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { registrationHeaders, signRegistration, type SignedRegistration } from '../../../core/registry/registration-signature.js';
import { REGISTRY_TABLE } from '../../../core/registry/registry-rows.js';
import { TableClusterRegistry } from '../../../functions/adapters/table-cluster-registry.js';
import { replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../../../scripts/functions-host/host.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { freePort } from '../../../scripts/local-stack/free-port.js';
import { keyVaultSigningKeys } from '../../../scripts/onboard/key-vault-signing-keys.js';
import { keyVaultEvent } from '../../support/key-vault-events.js';
import { createReloadingApp, decode, startAgentHarness, waitFor, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';
import { KEYS_VAULT, keyVaultKeySettings, signingKeysClient } from './signing-keys-vault.js';

const CLUSTER = `reg-push-${randomUUID().slice(0, 8)}`;
const STALE_MS = 6000;
const key = { keyId: `${CLUSTER}-20261201t070000z`, key: randomBytes(32) };
let emulator: KeyVaultEmulator;
let host: FunctionsHost;
let registry: TableClusterRegistry;
let h: AgentHarness | undefined;
let ns: string;
let notifyPort: number;
const hostLogs: HostLogEntry[] = [];
const stack = () => getTestStack();

const startAgent = (): Promise<AgentHarness> => startAgentHarness({
  emulator, existingNamespaces: [ns],
  env: {
    AKVSYNC_NOTIFY_PORT: String(notifyPort),
    AKVSYNC_SIGNING_KEYS: JSON.stringify({ [key.keyId]: key.key.toString('base64') }),
    AKVSYNC_REGISTRATION_URL: host.url,
    AKVSYNC_CLUSTER_NAME: CLUSTER,
    AKVSYNC_REGISTRATION_ENDPOINT: `https://127.0.0.1:${notifyPort}/v1/notifications`,
    AKVSYNC_REGISTRATION_CA_FILE: '/mem/ca.crt',
    AKVSYNC_REGISTRATION_INTERVAL: '1s',
    AKVSYNC_REGISTRATION_DEBOUNCE: '200ms',
  },
});
const secretOf = async (name: string, dataKey: string) => decode(await h?.readSecret(ns, name), dataKey);
const replicaSets = async () => (await replicaSetsOf(stack().kubeConfig, ns, 'app')).length;
const routedTo = async (objectName: string) => registry.clustersFor(keyVaultEvent({ vault: 'kv1', objectName }));

beforeAll(async () => {
  emulator = await startKeyVaultEmulator({ ca: stack().ca, vaults: ['kv1', KEYS_VAULT] });
  await keyVaultSigningKeys(signingKeysClient(emulator)).store(`akvsync-signing-${CLUSTER}`, key.key.toString('base64'), key.keyId);
  host = await startFunctionsHost({
    port: 0,
    env: {
      ...keyVaultKeySettings(emulator),
      AKVSYNC_REGISTRY_STALE_MINUTES: String(STALE_MS / 60_000),
      AKVSYNC_RETRY_BASE_SECONDS: '1',
      AKVSYNC_RETRY_MAX_SECONDS: '2',
      AKVSYNC_RETRY_MAX_ATTEMPTS: '50',
    },
    queues: { maxPollingInterval: '00:00:00.200' },
    onLog: (e) => hostLogs.push(e),
  });
  registry = new TableClusterRegistry(TableClient.fromConnectionString(stack().azurite.connectionString, REGISTRY_TABLE, { allowInsecureConnection: true }), STALE_MS);
  emulator.subscribe(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`);
  ns = await stack().createNamespace('regpush');
  notifyPort = await freePort();
  h = await startAgent();
  await createReloadingApp(h, ns);
});
afterAll(async () => {
  await h?.stop();
  await host?.close();
  await emulator?.close();
});

describe('a registered push cluster (real agent, local Functions host, keys in the Key Vault emulator)', () => {
  it('registers the subscription set of its CRs, heartbeats, and re-registers when a CR is added', async () => {
    await waitFor('registered for db-password', async () => ((await routedTo('db-password')).includes(CLUSTER) ? true : undefined));
    const first = await registry.cluster(CLUSTER, Date.now());
    expect(first).toMatchObject({ delivery: 'push', endpoint: `https://127.0.0.1:${notifyPort}/v1/notifications`, stale: false });
    expect(first?.caPem).toContain('BEGIN CERTIFICATE');
    await waitFor('a heartbeat', async () => ((await registry.cluster(CLUSTER, Date.now()))!.lastHeartbeatMs > first!.lastHeartbeatMs ? true : undefined));
    expect(await routedTo('api-key')).not.toContain(CLUSTER);

    emulator.setSecret('kv1', 'api-key', 'k1');
    await h!.createAkvs(ns, 'api-key', { vault: { name: 'kv1', object: { name: 'api-key', type: 'secret' } }, output: { secret: { name: 'api', dataKey: 'key' } } });
    await waitFor('registered for api-key', async () => ((await routedTo('api-key')).includes(CLUSTER) ? true : undefined));
    expect(h!.logLines.some((l) => l.includes('registered with the Function') && l.includes(key.keyId))).toBe(true);
  });

  it('gets a rotation end to end: Key Vault emulator → Functions host (key read from Key Vault) → push → agent → Secret → rollout', async () => {
    const { version } = emulator.setSecret('kv1', 'db-password', 'second-value');
    await waitFor('Secret rotated', async () => ((await secretOf('db', 'password')) === 'second-value' ? true : undefined), 60_000);
    await waitFor('second ReplicaSet', async () => ((await replicaSets()) === 2 ? true : undefined), 60_000);
    expect(h!.logLines.some((l) => l.includes('notification accepted') && l.includes(version) && l.includes(key.keyId))).toBe(true);
    for (const line of [...h!.logLines, ...hostLogs.map((e) => JSON.stringify(e))]) {
      expect(line).not.toContain('second-value');
      expect(line).not.toContain(key.key.toString('base64'));
    }
  });

  it('refuses a forged registration and one of a cluster Key Vault has no key for, changing nothing', async () => {
    const before = await registry.cluster(CLUSTER, Date.now());
    const post = (cluster: string, s: SignedRegistration) => fetch(`${host.url}/api/clusters/${cluster}/registration`, {
      method: 'POST',
      headers: registrationHeaders(s),
      body: s.body,
    });
    const evil = (cluster: string) => JSON.stringify({ cluster, delivery: 'push', endpoint: 'https://evil.example/v1/notifications', subscriptions: [] });
    const now = Math.floor(Date.now() / 1000);
    const forged = await post(CLUSTER, signRegistration({ keyId: key.keyId, key: randomBytes(32) }, now, randomBytes(18).toString('base64url'), evil(CLUSTER)));
    expect([forged.status, await forged.json()]).toEqual([401, { error: 'bad-signature' }]);
    const stranger = `stranger-${randomUUID().slice(0, 8)}`;
    const unknown = await post(stranger, signRegistration({ keyId: 'stranger-1', key: randomBytes(32) }, now, randomBytes(18).toString('base64url'), evil(stranger)));
    expect([unknown.status, await unknown.json()]).toEqual([401, { error: 'unknown-key' }]);
    expect(await registry.cluster(stranger, Date.now())).toBeUndefined();
    expect((await registry.cluster(CLUSTER, Date.now()))?.endpoint).toBe(before?.endpoint);
  });

  it('goes stale while its agent is down; a rotation meanwhile waits in the retry path and is delivered once an agent registers again', async () => {
    await h!.stop();
    h = undefined;
    await waitFor('stale', async () => ((await registry.cluster(CLUSTER, Date.now()))?.stale ? true : undefined), 30_000);
    const { version } = emulator.setSecret('kv1', 'db-password', 'third-value');
    await waitFor('the push kept for retry', () => (hostLogs.some((e) => JSON.stringify(e).includes('ClusterStale')) ? true : undefined), 30_000);

    h = await startAgent();
    await waitFor('fresh again', async () => ((await registry.cluster(CLUSTER, Date.now()))?.stale === false ? true : undefined), 30_000);
    await waitFor('the retried notification accepted', () => (h!.logLines.some((l) => l.includes('notification accepted') && l.includes(version)) ? true : undefined), 60_000);
    await waitFor('Secret rotated', async () => ((await secretOf('db', 'password')) === 'third-value' ? true : undefined), 30_000);
    await waitFor('third ReplicaSet', async () => ((await replicaSets()) === 3 ? true : undefined), 30_000);
  });
});
