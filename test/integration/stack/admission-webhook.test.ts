/**
 * The local apiserver calls a mutating admission webhook at a loopback URL over verified TLS
 * (serving certificate from the stack's CA, caBundle = that CA) and applies the JSONPatch it returns.
 */
import { AdmissionregistrationV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { startAdmissionWebhook, type AdmissionWebhookServer } from '../support/admission-webhook-server.js';
import { getTestStack } from '../support/stack-client.js';

interface AdmissionReview {
  apiVersion: string;
  kind: string;
  request: { uid: string; operation: string; namespace?: string; kind: { kind: string }; object: V1Pod; dryRun?: boolean };
}

const stack = getTestStack();
const core = stack.kubeConfig.makeApiClient(CoreV1Api);
const admission = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);

function startWebhookServer(reviews: AdmissionReview[]): Promise<AdmissionWebhookServer> {
  return startAdmissionWebhook<AdmissionReview>(stack.ca, (review) => {
    reviews.push(review);
    const patch = [{ op: 'add', path: '/metadata/labels', value: { 'webhook-test/mutated': 'yes' } }];
    return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
  });
}

const pod = (name: string): V1Pod => ({ metadata: { name }, spec: { containers: [{ name: 'main', image: 'registry.invalid/app:1' }] } });

describe('mutating admission webhook on loopback', () => {
  const reviews: AdmissionReview[] = [];
  let server: AdmissionWebhookServer;
  let namespace: string;
  let configName: string;

  beforeAll(async () => {
    server = await startWebhookServer(reviews);
    namespace = await stack.createNamespace('webhook', { labels: { 'webhook-test': 'on' } });
    configName = `stack-test-${namespace}`;
    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: configName },
        webhooks: [
          {
            name: 'mutate.stack.akvsync.test',
            clientConfig: server.clientConfig('/mutate'),
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            // only this test's namespace, so other tests' pods never depend on this server
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
            failurePolicy: 'Fail',
            timeoutSeconds: 5,
          },
        ],
      },
    });
    // The apiserver picks the configuration up asynchronously: dry-run creates until the webhook is called.
    await waitUntil(
      'the apiserver to call the webhook',
      async () => {
        await core.createNamespacedPod({ namespace, body: pod('probe'), dryRun: 'All' });
        return reviews.length > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  });

  afterAll(async () => {
    await admission.deleteMutatingWebhookConfiguration({ name: configName });
    await server.close();
  });

  it('sends the AdmissionReview for a Pod CREATE and applies the returned patch', async () => {
    reviews.length = 0;

    const created = await core.createNamespacedPod({ namespace, body: pod('app') });

    expect(reviews).toHaveLength(1);
    const request = reviews[0]!.request;
    expect(reviews[0]).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(request).toMatchObject({ operation: 'CREATE', namespace, kind: { kind: 'Pod' }, dryRun: false });
    expect(request.object.metadata?.name).toBe('app');
    expect(created.metadata?.labels).toEqual({ 'webhook-test/mutated': 'yes' });
    const stored = await core.readNamespacedPod({ namespace, name: 'app' });
    expect(stored.metadata?.labels).toEqual({ 'webhook-test/mutated': 'yes' });
  });

  it('does not call the webhook for namespaces outside its selector', async () => {
    const other = await stack.createNamespace('webhook-other');
    reviews.length = 0;

    const created = await core.createNamespacedPod({ namespace: other, body: pod('app') });

    expect(reviews).toHaveLength(0);
    expect(created.metadata?.labels).toBeUndefined();
  });
});
