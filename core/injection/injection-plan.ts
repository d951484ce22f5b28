/**
 * What one container's placeholders ask for, by name only (no values): each variable, the AzureKeyVaultSecret it
 * names and the Key Vault object behind it. The webhook computes it at admission (so a bad reference fails the
 * admission, not the container start) and hands it to env-exec; in agent mode the agent recomputes it from the
 * stored pod spec and never trusts the container's copy.
 */
import type { AkvsContentType, AkvsObjectType, AkvsTransform, AzureKeyVaultSecret } from '../crd/azure-key-vault-secret.js';
import { validateAkvsSpec } from '../crd/validate-spec.js';
import { TerminalError } from '../errors.js';
import { ALL_KEYS_QUERY, type Placeholder, parsePlaceholder } from './placeholder.js';
import type { Container } from './pod-types.js';

export interface VaultSource {
  readonly vault: string;
  readonly name: string;
  readonly type: AkvsObjectType;
  readonly version?: string;
  readonly contentType?: AkvsContentType;
  readonly transform?: readonly AkvsTransform[];
}

export interface PlannedVariable {
  /** The env var holding the placeholder (with `?*` it is replaced by one variable per key). */
  readonly env: string;
  readonly akvs: string;
  readonly query: string | undefined;
  readonly source: VaultSource;
}

/** Which queries each object type answers (undefined = no query). */
const QUERIES: Readonly<Record<AkvsObjectType, readonly (string | undefined)[] | 'any-key'>> = {
  secret: [undefined, 'username', 'password', 'tls.crt', 'tls.key'],
  certificate: [undefined, 'tls.crt', 'tls.key'],
  key: [],
  'multi-key-value-secret': 'any-key',
};

function checkQuery(subject: string, akvs: string, type: AkvsObjectType, query: string | undefined): void {
  const where = `${subject}: '${akvs}@azurekeyvault${query === undefined ? '' : `?${query}`}'`;
  if (type === 'key') {
    throw new TerminalError('UnsupportedObjectType', `${where}: AzureKeyVaultSecret '${akvs}' has object type 'key', which env injection does not support yet`);
  }
  if (query === 'raw' && type === 'certificate') {
    throw new TerminalError('InvalidQuery', `${where}: '?raw' is binary DER, which an environment variable cannot hold (NUL bytes); use '?tls.crt' for the PEM certificate`);
  }
  const allowed = QUERIES[type];
  if (allowed === 'any-key') {
    if (query === undefined) throw new TerminalError('InvalidQuery', `${where}: a multi-key-value-secret needs '?<key>' (one key) or '?${ALL_KEYS_QUERY}' (every key)`);
    return;
  }
  if (!allowed.includes(query)) {
    const names = allowed.map((q) => (q === undefined ? '(none)' : `?${q}`)).join(', ');
    throw new TerminalError('InvalidQuery', `${where}: object type '${type}' answers ${names}`);
  }
}

/**
 * One placeholder checked against the AzureKeyVaultSecrets of the pod's namespace, as the variable (or file) `name`;
 * `subject` says where it was written (for messages). Throws TerminalError `AkvsNotFound`, `InvalidSpec`,
 * `InvalidQuery`, `UnsupportedObjectType`.
 */
export function planPlaceholder(subject: string, name: string, placeholder: Placeholder, akvsByName: ReadonlyMap<string, AzureKeyVaultSecret>): PlannedVariable {
  const akvs = akvsByName.get(placeholder.akvs);
  if (akvs === undefined) {
    throw new TerminalError('AkvsNotFound', `${subject}: AzureKeyVaultSecret '${placeholder.akvs}' does not exist in this namespace`);
  }
  const validation = validateAkvsSpec(akvs.spec);
  if (!validation.ok) throw new TerminalError('InvalidSpec', `AzureKeyVaultSecret '${placeholder.akvs}': ${validation.errors.join('; ')}`);
  const { vault, output } = validation.spec;
  checkQuery(subject, placeholder.akvs, vault.object.type, placeholder.query);
  return {
    env: name,
    akvs: placeholder.akvs,
    query: placeholder.query,
    source: {
      vault: vault.name.toLowerCase(),
      name: vault.object.name,
      type: vault.object.type,
      ...(vault.object.version !== undefined ? { version: vault.object.version } : {}),
      ...(vault.object.contentType !== undefined ? { contentType: vault.object.contentType } : {}),
      ...(output?.transform !== undefined && output.transform.length > 0 ? { transform: output.transform } : {}),
    },
  };
}

/**
 * The container's placeholders (env entries with a literal `value` only, as akv2k8s), each through planPlaceholder.
 */
export function planContainer(container: Container, akvsByName: ReadonlyMap<string, AzureKeyVaultSecret>): PlannedVariable[] {
  const planned: PlannedVariable[] = [];
  for (const env of container.env ?? []) {
    const placeholder = parsePlaceholder(env.value);
    if (placeholder !== undefined) planned.push(planPlaceholder(`container '${container.name}' env ${env.name}`, env.name, placeholder, akvsByName));
  }
  return planned;
}

/** True when any env entry of the container is a placeholder (cheap: no AKVS needed). */
export const hasPlaceholders = (container: Container): boolean => (container.env ?? []).some((e) => parsePlaceholder(e.value) !== undefined);
