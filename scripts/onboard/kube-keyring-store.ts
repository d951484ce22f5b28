/**
 * The agent's keyring as a Kubernetes Secret (`keys.json`: `{"<keyId>": "<base64 key>"}`, what the agent reads
 * through AKVSYNC_SIGNING_KEYS_FILE). Writes are optimistic: a Secret changed since it was read is not overwritten.
 */
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { OnboardingError, type KeyringStore } from './signing-keys.js';

export const KEYRING_DATA_KEY = 'keys.json';

const statusOf = (error: unknown): number | undefined => (error as { code?: number }).code;

export function kubeKeyringStore(kubeConfig: KubeConfig, namespace: string, name: string): KeyringStore {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    description: `${namespace}/${name}`,
    async read() {
      let secret: V1Secret;
      try {
        secret = await core.readNamespacedSecret({ namespace, name });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw new OnboardingError(`reading Secret ${namespace}/${name} failed (HTTP ${statusOf(error) ?? '?'})`);
      }
      const raw = secret.data?.[KEYRING_DATA_KEY];
      if (raw === undefined) throw new OnboardingError(`Secret ${namespace}/${name} has no ${KEYRING_DATA_KEY}: not an akvsync keyring, left unchanged`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
      } catch {
        throw new OnboardingError(`Secret ${namespace}/${name}: ${KEYRING_DATA_KEY} is not JSON, left unchanged`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OnboardingError(`Secret ${namespace}/${name}: ${KEYRING_DATA_KEY} is not a JSON object, left unchanged`);
      return { keys: new Map(Object.entries(parsed as Record<string, string>)), resourceVersion: secret.metadata?.resourceVersion };
    },
    async write(keys, resourceVersion) {
      const body: V1Secret = {
        metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'akvsync', 'app.kubernetes.io/component': 'keyring' }, ...(resourceVersion ? { resourceVersion } : {}) },
        type: 'Opaque',
        data: { [KEYRING_DATA_KEY]: Buffer.from(JSON.stringify(Object.fromEntries(keys))).toString('base64') },
      };
      try {
        if (resourceVersion === undefined) await core.createNamespacedSecret({ namespace, body });
        else await core.replaceNamespacedSecret({ namespace, name, body });
      } catch (error) {
        const status = statusOf(error);
        if (status === 409) throw new OnboardingError(`Secret ${namespace}/${name} changed while onboarding ran: nothing written, run again`);
        throw new OnboardingError(`writing Secret ${namespace}/${name} failed (HTTP ${status ?? '?'})`);
      }
    },
  };
}
