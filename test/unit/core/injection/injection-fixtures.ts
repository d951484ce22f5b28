/** Test support: akv2k8s's env-injection examples (../shared/fixtures/akv2k8s-examples) as pods, AKVS and settings. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import type { InjectionSettings } from '../../../../core/injection/injection-settings.js';
import type { NamespaceInfo, Pod } from '../../../../core/injection/pod-types.js';

const dir = join(fileURLToPath(new URL('../../../../', import.meta.url)), '..', 'shared', 'fixtures', 'akv2k8s-examples');
const read = (file: string): Record<string, unknown> => parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

/** An AKVS example with only `apiVersion` changed (names trimmed: some examples carry a trailing space). */
export function fixtureAkvs(file: string): AzureKeyVaultSecret {
  const obj = read(file) as unknown as AzureKeyVaultSecret;
  return { ...obj, apiVersion: 'akvsync.io/v1', metadata: { ...obj.metadata, name: obj.metadata.name.trim(), uid: 'u', generation: 1 } };
}

/** The pod a Deployment example's ReplicaSet would create. */
export function fixturePod(file: string): Pod {
  const deployment = read(file) as { metadata: { namespace: string }; spec: { template: { metadata: Pod['metadata']; spec: Pod['spec'] } } };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...deployment.spec.template.metadata, generateName: 'app-', namespace: deployment.metadata.namespace }, spec: deployment.spec.template.spec };
}

/** Fixture 00's namespace with only the label changed to akvsync's. */
export const INJECTED_NAMESPACE: NamespaceInfo = { name: 'akv-test', labels: { 'akvsync.io/injection': 'enabled' } };

export const SETTINGS: InjectionSettings = {
  installImage: 'registry.local/akvsync/agent:1.0.0',
  installSourceDir: '/opt/akvsync/env-exec',
  envExecSha256: { amd64: 'a'.repeat(64), arm64: 'b'.repeat(64) },
  agentNamespace: 'akvsync-system',
  acceptAkv2k8sLabel: true,
  defaultAuth: 'agent',
  agentUrl: 'https://akvsync-agent.akvsync-system.svc:8443',
  tokenAudiencePrefix: 'akvsync.io/env-exec/',
  installUser: 65532,
};
