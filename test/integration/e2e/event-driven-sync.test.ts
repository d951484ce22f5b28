/**
 * End to end on the real local stack: kube-apiserver + etcd + kube-controller-manager (jest globalSetup), the Key Vault
 * emulator emitting Event Grid events, the real Function app on the local Functions host, and the real agent. A secret
 * rotated through the Key Vault SDK must end up in the Kubernetes Secret and roll the opted-in Deployment; duplicates,
 * replays and late deliveries of older versions must end in the latest version; malformed and foreign events must not
 * block valid ones; and no secret value may appear on the wire, in a log line, a Kubernetes Event, the CR status or
 * telemetry. Recording proxies sit on the Event Grid → Function and Function → agent hops.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SecretClient } from '@azure/keyvault-secrets';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { syncedVersionAnnotation } from '../../../core/crd/output-metadata.js';
import { AKVS_PLURAL, AKVS_VERSION, AKVSYNC_GROUP, type AkvsStatus } from '../../../core/crd/azure-key-vault-secret.js';
import { NOTIFICATION_HEADERS } from '../../../core/notification/notification.js';
import { akvsSpec, applyAkvsCrd, createAkvs, createDeployment, reloadingDeployment, replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { startLocalPipeline, type LocalPipeline } from '../../../scripts/demo/local-pipeline.js';
import type { RecordedExchange } from '../../../scripts/demo/recording-proxy.js';
import type { HostLogEntry } from '../../../scripts/functions-host/host.js';
import type { EventGridEvent } from '../../../scripts/kv-emulator/emulator.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { findLeaks } from '../../support/find-leaks.js';
import { eventGridItem, loadEventFixture } from '../../support/key-vault-events.js';
import { getTestStack, type TestStack } from '../support/stack-client.js';
import { startIngestionRecorder, type IngestionRecorder } from './ingestion-recorder.js';

const VAULT = 'kv-e2e';
const OBJECT = 'db-password';
const NAME = 'db-password';
const DEPLOYMENT = 'web';

let stack: TestStack;
let pipeline: LocalPipeline;
let client: SecretClient;
let telemetry: IngestionRecorder;
let namespace: string;
const agentLog: string[] = [];
const functionsLog: HostLogEntry[] = [];
/** Every value this test put into Key Vault; none may appear anywhere but the Secret's data. */
const values: string[] = [];

function newValue(): string {
  const value = `e2e-value-${randomBytes(12).toString('hex')}`;
  values.push(value);
  return value;
}

const wait = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => waitUntil(what, probe, { timeoutMs: 30_000 });

async function secretNow(): Promise<{ value: string | undefined; version: string | undefined }> {
  const secret = await stack.kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: NAME });
  const data = secret.data?.value;
  return { value: data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8'), version: secret.metadata?.annotations?.[syncedVersionAnnotation(NAME)] };
}

const waitForSecret = (value: string, version: string): Promise<true> =>
  wait(`Secret ${NAME} at version ${version}`, async () => {
    const now = await secretNow();
    return now.value === value && now.version === version ? true : undefined;
  });

const replicaSetCount = async (): Promise<number> => (await replicaSetsOf(stack.kubeConfig, namespace, DEPLOYMENT)).length;

async function crStatus(): Promise<AkvsStatus | undefined> {
  const cr = (await stack.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL, namespace, name: NAME,
  })) as { status?: AkvsStatus };
  return cr.status;
}

const exchangesFor = (proxy: { exchanges: readonly RecordedExchange[] } | undefined, needle: string): RecordedExchange[] =>
  (proxy?.exchanges ?? []).filter((x) => x.requestBody.includes(needle));

/** POSTs an Event Grid delivery to the Function, through the recording proxy, as Event Grid does. */
const deliverToFunction = (body: string): Promise<Response> =>
  fetch(pipeline.eventGridUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body });

/** A new version whose Event Grid event is held back (recorded as dropped), so the test decides when it arrives. */
async function versionWithHeldEvent(value: string): Promise<{ version: string; event: EventGridEvent }> {
  pipeline.emulator.dropEvents(true);
  try {
    const { properties } = await client.setSecret(OBJECT, value);
    const version = properties.version ?? '';
    const held = pipeline.emulator.deliveries.find((d) => d.outcome === 'dropped' && d.event.data.Version === version);
    if (!held) throw new Error(`the emulator recorded no event for version ${version}`);
    return { version, event: held.event };
  } finally {
    pipeline.emulator.dropEvents(false);
  }
}

beforeAll(async () => {
  stack = getTestStack();
  await applyAkvsCrd(stack.kubeConfig);
  namespace = await stack.createNamespace('e2e');
  telemetry = await startIngestionRecorder(stack.ca);
  pipeline = await startLocalPipeline({
    ca: stack.ca,
    kubeConfig: stack.kubeConfig,
    vaults: [VAULT],
    watchNamespaces: [namespace],
    record: true,
    agentLogLevel: 'debug',
    onAgentLog: (line) => void agentLog.push(line),
    onFunctionsLog: (entry) => void functionsLog.push(entry),
    functionsEnv: { APPLICATIONINSIGHTS_CONNECTION_STRING: telemetry.connectionString, NODE_EXTRA_CA_CERTS: stack.caFile },
  });
  client = pipeline.secretClient(VAULT);
  const first = newValue();
  const { properties } = await client.setSecret(OBJECT, first);
  await createAkvs(stack.kubeConfig, namespace, NAME, akvsSpec({ vault: VAULT, object: OBJECT, secretName: NAME }));
  await createDeployment(stack.kubeConfig, reloadingDeployment({ namespace, name: DEPLOYMENT, secretName: NAME }));
  await waitForSecret(first, properties.version ?? '');
  await wait('the first ReplicaSet', async () => ((await replicaSetCount()) === 1 ? true : undefined));
});

afterAll(async () => {
  await pipeline?.stop();
  await telemetry?.close();
  if (namespace) await stack.kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
});

describe('event-driven sync, end to end on the local stack', () => {
  it('delivers a rotation: Key Vault → Event Grid → Function → signed push → agent → Secret and a new ReplicaSet', async () => {
    const before = await replicaSetCount();
    const value = newValue();
    const { properties } = await client.setSecret(OBJECT, value);
    const version = properties.version ?? '';

    await waitForSecret(value, version);
    await wait('a new ReplicaSet', async () => ((await replicaSetCount()) === before + 1 ? true : undefined));

    const [delivery] = exchangesFor(pipeline.eventGridProxy, version);
    expect(delivery?.status).toBe(200);
    expect(JSON.parse(delivery?.requestBody ?? '[]')[0]).toMatchObject({ eventType: 'Microsoft.KeyVault.SecretNewVersionCreated', data: { ObjectName: OBJECT, Version: version } });
    const pushes = exchangesFor(pipeline.pushProxy, version);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.status).toBe(202);
    expect(pushes[0]?.requestHeaders[NOTIFICATION_HEADERS.keyId]).toBe(pipeline.signingKeyId);
    expect(pushes[0]?.requestHeaders[NOTIFICATION_HEADERS.signature]).toMatch(/^v1=/);
    expect(JSON.parse(pushes[0]?.requestBody ?? '{}')).toMatchObject({ vault: VAULT, objectType: 'Secret', objectName: OBJECT, version });

    const deployment = await stack.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name: DEPLOYMENT });
    expect(Object.keys(deployment.spec?.template.metadata?.annotations ?? {}).some((k) => k.includes('akvsync.io'))).toBe(true);
    expect((await crStatus())?.syncedVersion).toBe(version);
  });

  it('ends in the latest version after duplicates, a replayed older delivery and a late first delivery of an older version', async () => {
    const replayedOld = pipeline.eventGridProxy?.exchanges[0];
    expect(replayedOld?.status).toBe(200);
    const older = await versionWithHeldEvent(newValue());
    const replicaSetsBefore = await replicaSetCount();
    const latestValue = newValue();
    const latest = (await client.setSecret(OBJECT, latestValue)).properties.version ?? '';
    await waitForSecret(latestValue, latest);
    await wait('the restart for the latest version', async () => ((await replicaSetCount()) === replicaSetsBefore + 1 ? true : undefined));
    await pipeline.agent.whenIdle();
    const latestDelivery = exchangesFor(pipeline.eventGridProxy, latest)[0];
    const latestPush = exchangesFor(pipeline.pushProxy, latest)[0];
    expect(latestDelivery?.status).toBe(200);
    expect(latestPush?.status).toBe(202);
    pipeline.emulator.resetCounters();

    // Event Grid delivers at least once: the newest delivery twice more, and an older one replayed after it.
    expect((await deliverToFunction(latestDelivery!.requestBody)).status).toBe(200);
    expect((await deliverToFunction(latestDelivery!.requestBody)).status).toBe(200);
    expect((await deliverToFunction(replayedOld!.requestBody)).status).toBe(200);
    // A push retried after a timeout reaches the agent again: answered 2xx, changes nothing.
    const repeat = await fetch(pipeline.agent.notifyUrl, {
      method: 'POST',
      headers: Object.fromEntries(['content-type', NOTIFICATION_HEADERS.keyId, NOTIFICATION_HEADERS.timestamp, NOTIFICATION_HEADERS.signature].map((h) => [h, latestPush!.requestHeaders[h] ?? ''])),
      body: latestPush!.requestBody,
    });
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ status: 'duplicate' });
    // No order is guaranteed: the older version's event arrives for the first time, after the newer one.
    expect((await deliverToFunction(JSON.stringify([older.event]))).status).toBe(200);
    await pipeline.agent.whenIdle();

    expect(exchangesFor(pipeline.pushProxy, latest)).toHaveLength(1);
    const latePush = exchangesFor(pipeline.pushProxy, older.version);
    expect(latePush.map((x) => x.status)).toEqual([202]);
    // Level-based: the late hint made the agent read Key Vault once more, found the latest, and changed nothing.
    expect(pipeline.emulator.requestCount({ vault: VAULT, operation: 'getSecret' })).toBe(1);
    expect(await secretNow()).toEqual({ value: latestValue, version: latest });
    expect(await replicaSetCount()).toBe(replicaSetsBefore + 1);
    expect((await crStatus())?.syncedVersion).toBe(latest);
  });

  it('acknowledges malformed and foreign events in a batch without blocking the valid one', async () => {
    const value = newValue();
    const fresh = await versionWithHeldEvent(value);
    const { Version: _dropped, ...dataWithoutVersion } = fresh.event.data;
    const withoutVersion = { ...fresh.event, id: randomUUID(), data: dataWithoutVersion };
    const mismatchedId = { ...fresh.event, id: randomUUID(), data: { ...fresh.event.data, Id: `https://${VAULT}.vault.azure.net/secrets/other-name/${fresh.version}` } };
    const batch = [
      withoutVersion,
      mismatchedId,
      eventGridItem({ envelope: { id: randomUUID() } }),
      ...(loadEventFixture('eventgrid-vault-access-policy-changed.json') as unknown[]),
      { id: randomUUID(), topic: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z', subject: '/blobServices/default/containers/c/blobs/b', eventType: 'Microsoft.Storage.BlobCreated', eventTime: new Date().toISOString(), data: { api: 'PutBlob' }, dataVersion: '', metadataVersion: '1' },
      fresh.event,
    ];

    const response = await deliverToFunction(JSON.stringify(batch));

    expect(response.status).toBe(200);
    await waitForSecret(value, fresh.version);
    const malformed = functionsLog.filter((e) => e.message.includes('malformed event acknowledged'));
    expect(malformed.map((e) => e.message).join('\n')).toContain(withoutVersion.id);
    expect(malformed.map((e) => e.message).join('\n')).toContain(mismatchedId.id);
    expect(exchangesFor(pipeline.pushProxy, fresh.version).map((x) => x.status)).toEqual([202]);
  });

  it('never lets a secret value reach a notification, an event delivery, a log line, a Kubernetes Event, the CR status or telemetry', async () => {
    // Flushes the Function's telemetry (its appTerminate hook) to the local ingestion endpoint.
    await pipeline.functionsHost.close();
    await wait('Function telemetry', async () => (telemetry.batches.some((b) => b.includes('akvsync.events.delivered')) ? true : undefined));
    const events = await stack.kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
    const metrics = await (await fetch(pipeline.agent.metricsUrl)).text();
    const places: Record<string, string[]> = {
      'notification bodies and headers': (pipeline.pushProxy?.exchanges ?? []).map((x) => x.requestBody + JSON.stringify(x.requestHeaders)),
      'Event Grid deliveries': (pipeline.eventGridProxy?.exchanges ?? []).map((x) => x.requestBody),
      'agent log lines': agentLog,
      'Functions host and app log lines': functionsLog.map((e) => e.message),
      'Kubernetes Events': events.items.map((e) => `${e.reason ?? ''} ${e.message ?? ''}`),
      'CR status': [JSON.stringify(await crStatus())],
      'agent metrics': [metrics],
      'Function telemetry': [...telemetry.batches],
    };
    for (const [place, texts] of Object.entries(places)) expect({ place, empty: texts.length === 0 }).toEqual({ place, empty: false });
    expect(values.length).toBeGreaterThanOrEqual(5);
    // A finding names the place, the value's form and the offending text with the value masked (never the value).
    expect(findLeaks(values, places)).toEqual([]);
  });
});
