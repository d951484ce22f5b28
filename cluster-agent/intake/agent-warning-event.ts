/**
 * A Warning Event about the agent itself (not about a CR): regarding its Pod when AKVSYNC_POD_NAME is set (the
 * downward API's metadata.name), else its namespace (recorded in that namespace, which the apiserver requires of an
 * Event). Messages carry names, ids and reasons only.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export function agentWarningEvents(kubeConfig: KubeConfig, namespace: string, podName: string | undefined) {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const involvedObject = podName ? { apiVersion: 'v1', kind: 'Pod', namespace, name: podName } : { apiVersion: 'v1', kind: 'Namespace', namespace, name: namespace };
  return async (reason: string, message: string): Promise<void> => {
    const now = new Date();
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: `akvsync-agent.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject,
        reason,
        message: message.slice(0, 1024),
        type: 'Warning',
        source: { component: 'akvsync-agent' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  };
}
