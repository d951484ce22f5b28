/**
 * The two places where a library's error carries a secret value: the Key Vault SDK's error for a 200 it cannot parse
 * (its message is the whole body, "value" included) and the Kubernetes client's ApiException for a rejected write
 * (its message is the whole Status, which an admission webhook may fill with the Secret's data). Both are driven for
 * real here, each is first shown to echo the value, and then the agent must keep it out of its log lines, the CR
 * status and Kubernetes Events.
 */
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { AdmissionregistrationV1Api, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { findLeaks } from '../../support/find-leaks.js';
import { startAdmissionWebhook, type AdmissionWebhookServer } from '../support/admission-webhook-server.js';
import { getTestStack } from '../support/stack-client.js';
import { startAgentHarness, waitFor, type AgentHarness } from './agent-harness.js';
import { startTamperingProxy, type TamperingProxy } from './tampering-proxy.js';

const GARBLED_VALUE = 'garbled-S3cret-7d41c0a9e2';
const ECHOED_VALUE = 'echoed-S3cret-5b8e13f06c';
const stack = getTestStack();

/** Cuts the last byte off a 200 answer for the secret `garbled`: JSON the SDK cannot parse, the value still inside. */
const cutGarbledReads = (r: { method: string; path: string; status: number; body: Buffer }): Buffer | undefined =>
  r.method === 'GET' && r.path.startsWith('/secrets/garbled/') && r.status === 200 ? r.body.subarray(0, r.body.length - 1) : undefined;

/** A validating webhook that denies the Secret `echoed` and quotes its data in the denial, as careless webhooks do. */
function startEchoingWebhook(): Promise<AdmissionWebhookServer> {
  type Review = { request: { uid: string; object?: { metadata?: { name?: string }; data?: unknown } } };
  return startAdmissionWebhook<Review>(stack.ca, ({ request }) =>
    request.object?.metadata?.name === 'echoed'
      ? { allowed: false, status: { code: 400, message: `data ${JSON.stringify(request.object?.data)} is not allowed here` } }
      : { allowed: true },
  );
}

describe('agent: library errors that echo a secret value stay out of logs, status and Events', () => {
  let emulator: KeyVaultEmulator;
  let proxy: TamperingProxy;
  let webhook: AdmissionWebhookServer;
  let h: AgentHarness;
  let ns: string;
  let webhookName: string;
  const admission = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);

  beforeAll(async () => {
    emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: ['kv1'] });
    proxy = await startTamperingProxy(emulator.vaultUrl('kv1'), stack.ca, cutGarbledReads);
    webhook = await startEchoingWebhook();
    h = await startAgentHarness({ emulator, env: { AKVSYNC_VAULT_URLS: JSON.stringify({ kv1: proxy.url }) } });
    ns = h.namespaces[0] as string;
    webhookName = `echo-${ns}`;
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: webhookName },
        webhooks: [{
          name: 'echo.akvsync.test',
          clientConfig: webhook.clientConfig('/validate'),
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['secrets'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          failurePolicy: 'Fail',
          timeoutSeconds: 5,
        }],
      },
    });
  });
  afterAll(async () => {
    if (webhookName) await admission.deleteValidatingWebhookConfiguration({ name: webhookName }).catch(() => undefined);
    await h?.stop();
    await proxy?.close();
    await emulator?.close();
    await webhook?.close();
  });

  /** Everything the agent made visible, as texts for findLeaks. */
  async function visible(): Promise<Record<string, string[]>> {
    const events = await h.core.listNamespacedEvent({ namespace: ns });
    const crs = (await h.custom.listNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns })) as { items: { status?: unknown }[] };
    return {
      'agent log lines': [...h.logLines],
      'Kubernetes Events': events.items.map((e) => `${e.reason ?? ''} ${e.message ?? ''}`),
      'CR status': crs.items.map((cr) => JSON.stringify(cr.status)),
    };
  }

  const failedWith = (name: string, code: string) =>
    waitFor(`${name}: Synced=False/${code}`, async () => {
      const s = await h.getStatus(ns, name);
      return s?.conditions?.some((c) => c.type === 'Synced' && c.status === 'False' && c.reason === code) ? s : undefined;
    });

  it('a Key Vault answer cut short (SDK error message = body with the value): KeyVaultBadResponse, retried, value nowhere', async () => {
    emulator.setSecret('kv1', 'garbled', GARBLED_VALUE);
    const sdk = new SecretClient(proxy.url, new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.authorityHost, disableInstanceDiscovery: true,
    }), { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } });
    const raw = await sdk.getSecret('garbled').then(() => undefined, (e: unknown) => e as Error);
    expect(raw?.message).toContain(GARBLED_VALUE); // the library's error does carry the value

    await h.createAkvs(ns, 'garbled', { vault: { name: 'kv1', object: { name: 'garbled', type: 'secret' } }, output: { secret: { name: 'garbled', dataKey: 'v' } } });
    await failedWith('garbled', 'KeyVaultBadResponse');
    await waitFor('a retry after the bad answer', () => (h.logLines.some((l) => l.includes('reconcile will be retried') && l.includes('KeyVaultBadResponse')) ? true : undefined));

    expect(await h.readSecret(ns, 'garbled')).toBeUndefined();
    expect(findLeaks([GARBLED_VALUE], await visible())).toEqual([]);
  });

  it('a write denied by a webhook that quotes the Secret data (ApiException message = Status with the data): value nowhere', async () => {
    const objects = KubernetesObjectApi.makeApiClient(stack.kubeConfig);
    const probe = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'echoed', namespace: ns }, data: { v: Buffer.from(ECHOED_VALUE).toString('base64') } };
    // The apiserver picks the webhook up asynchronously: dry-run applies until it denies; its error carries the data.
    const raw = await waitFor('the webhook to deny', () =>
      objects.patch(probe, undefined, 'All', 'leak-test', true, PatchStrategy.ServerSideApply).then(() => undefined, (e: unknown) => e as Error));
    expect(raw.message).toContain(Buffer.from(ECHOED_VALUE).toString('base64'));

    emulator.setSecret('kv1', 'echoed', ECHOED_VALUE);
    await h.createAkvs(ns, 'echoed', { vault: { name: 'kv1', object: { name: 'echoed', type: 'secret' } }, output: { secret: { name: 'echoed', dataKey: 'v' } } });
    const status = await failedWith('echoed', 'KubernetesRejected');

    expect(status.conditions?.find((c) => c.type === 'Synced')?.message).toContain('apply Secret');
    await waitFor('the Warning Event', async () => ((await h.core.listNamespacedEvent({ namespace: ns })).items.some((e) => e.reason === 'KubernetesRejected') ? true : undefined));
    expect(await h.readSecret(ns, 'echoed')).toBeUndefined();
    expect(findLeaks([ECHOED_VALUE], await visible())).toEqual([]);
  });
});
