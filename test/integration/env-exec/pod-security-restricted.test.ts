/**
 * The mutated pod is admitted by the real kube-apiserver in a namespace that enforces Pod Security `restricted`:
 * what the injection adds (the install init container, a disk-backed emptyDir, per-container projected tokens,
 * the rewritten command) keeps a compliant pod compliant. The same namespace refuses a non-compliant pod, so the
 * check is live. With the apiserver calling the agent's webhook and the pod then run: agent-mode-real-agent.test.ts.
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { mutatePod } from '../../../core/injection/mutate-pod.js';
import type { Container, Pod } from '../../../core/injection/pod-types.js';
import { getTestStack } from '../support/stack-client.js';
import { INJECTED_NAMESPACE, SETTINGS, fixtureAkvs, fixturePod } from '../../unit/core/injection/injection-fixtures.js';

const RESTRICTED_APP = {
  allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};

function compliantExamplePod(): Pod {
  const pod = fixturePod('10-inject-secret.deployment.yaml');
  (pod.spec.containers[0] as Container).securityContext = RESTRICTED_APP;
  return pod;
}

function message(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  return typeof body === 'string' ? String((JSON.parse(body) as { message?: unknown }).message) : String(e);
}

describe('Pod Security restricted', () => {
  it('admits the mutated akv2k8s example 10 pod in a restricted namespace, and refuses a non-compliant pod there', async () => {
    const stack = getTestStack();
    const namespace = await stack.createNamespace('env-psa', { labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'akvsync.io/injection': 'enabled' } });
    const core = stack.kubeConfig.makeApiClient(CoreV1Api);
    const result = mutatePod({
      pod: compliantExamplePod(), namespace: { ...INJECTED_NAMESPACE, name: namespace }, akvs: [fixtureAkvs('10-inject-secret.akvs.yaml')],
      imageCommands: new Map([['akv2k8s-env-test', { entrypoint: ['/app'], cmd: [] }]]), settings: SETTINGS,
    });
    if (result.outcome !== 'mutated') throw new Error(result.reason);
    const body = { ...result.pod, metadata: { ...result.pod.metadata, namespace } } as V1Pod;

    const created = await core.createNamespacedPod({ namespace, body });
    expect(created.spec?.initContainers?.[0]?.name).toBe('akvsync-env-exec-install');
    expect(created.spec?.volumes?.map((v) => v.name)).toEqual(expect.arrayContaining(['akvsync-env-exec', 'akvsync-env-token-akv2k8s-env-test']));

    const privileged = structuredClone(body);
    (privileged.spec?.initContainers?.[0] as { securityContext?: unknown }).securityContext = { privileged: true };
    privileged.metadata = { ...privileged.metadata, generateName: 'privileged-' };
    const refusal = await core.createNamespacedPod({ namespace, body: privileged }).then(() => 'admitted', message);
    expect(refusal).toContain('violates PodSecurity "restricted:latest": privileged (container "akvsync-env-exec-install"');
  }, 60_000);
});
