/** The helpers tests use on the local control plane: unique, labelled namespaces ready for Pods. */
import { CoreV1Api } from '@kubernetes/client-node';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const core = stack.kubeConfig.makeApiClient(CoreV1Api);

describe('createNamespace', () => {
  it('makes a valid, unique name from any prefix and applies the labels', async () => {
    const first = await stack.createNamespace('Weird_Prefix!! 1', { labels: { 'akvsync.io/injection': 'enabled' } });
    const second = await stack.createNamespace('Weird_Prefix!! 1');

    expect(first).toMatch(/^weird-prefix-1-[0-9a-f]{6}$/);
    expect(second).not.toBe(first);
    const namespace = await core.readNamespace({ name: first });
    expect(namespace.metadata?.labels).toMatchObject({ 'akvsync.io/injection': 'enabled', 'kubernetes.io/metadata.name': first });
  });

  it('returns only once Pods can be created (the default ServiceAccount exists)', async () => {
    const namespace = await stack.createNamespace('pods-at-once');

    const pod = await core.createNamespacedPod({ namespace, body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'registry.invalid/x:1' }] } } });

    expect(pod.spec?.serviceAccountName).toBe('default');
    // the ServiceAccount admission plugin projected a token volume, as in a real cluster
    expect(pod.spec?.volumes?.some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken))).toBe(true);
  });
});
