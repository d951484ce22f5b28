/**
 * The floor of a benchmark: the calls the agent cannot avoid, issued directly with the same clients the agent uses
 * and none of its logic — the Key Vault read through the agent's KeyVaultObjectStore (the Azure SDK, the same
 * credential class), the server-side apply of a Secret and the pod-template merge patch of a Deployment through the
 * agent's pooled keep-alive apiserver clients (KubeApiClients), with the same bodies and content types. Measured in
 * the same run as the agent, on objects of its own (never the agent's), so `agent / floor` is what runs compare.
 */
import { ClientSecretCredential } from '@azure/identity';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObjectApi } from '@kubernetes/client-node';
import { KeyVaultObjectStore } from '../../cluster-agent/adapters/key-vault-object-store.js';
import { KubeApiClients } from '../../cluster-agent/adapters/kube-api-clients.js';
import { restartPatch } from '../../core/restart/workload-kinds.js';
import type { SecretValue } from '../../core/ports/vault-object-store.js';
import type { KeyVaultEmulator } from '../../scripts/kv-emulator/emulator.js';

const FIELD_MANAGER = 'akvsync-bench-floor';

export class DirectFloor {
  private readonly store: KeyVaultObjectStore;
  private readonly clients: KubeApiClients;
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, emulator: KeyVaultEmulator) {
    const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
    });
    this.store = new KeyVaultObjectStore({ credential, vaultUrl: (vault) => emulator.vaultUrl(vault), disableChallengeResourceVerification: true });
    this.clients = new KubeApiClients(kubeConfig);
    this.objects = this.clients.objects();
    this.custom = this.clients.make(CustomObjectsApi);
  }

  /** The latest version of a Key Vault secret, as the agent reads it. */
  async readSecret(vault: string, name: string): Promise<SecretValue> {
    const object = await this.store.read({ vault, objectType: 'secret', name });
    if (object.kind !== 'secret-value') throw new Error(`${vault}/${name} is not a secret`);
    return object;
  }

  /** Server-side apply of an Opaque Secret with one data key (the shape the agent applies). */
  async applySecret(namespace: string, name: string, dataKey: string, value: string, version: string): Promise<void> {
    await this.objects.patch(
      {
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
        metadata: { name, namespace, labels: { 'akvsync.io/bench-floor': 'true' }, annotations: { 'akvsync.io/bench-floor-version': version } },
        data: { [dataKey]: Buffer.from(value).toString('base64') },
      } as never,
      undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply,
    );
  }

  /** The rolling-restart patch: one pod-template annotation of a Deployment (a merge patch, as the agent sends). */
  async patchDeployment(namespace: string, name: string, value: string): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      { group: 'apps', version: 'v1', plural: 'deployments', namespace, name, body: restartPatch('Deployment', 'akvsync.io/bench-floor', value, ''), fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}

/** agent / floor, two decimals. */
export function ratioToFloor(agentMs: number, floorMs: number): number {
  return Math.round((agentMs / floorMs) * 100) / 100;
}
