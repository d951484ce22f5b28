/**
 * The tenancy settings (docs/agent.md, docs/tenancy.md): where the access policy comes from and how long the
 * ServiceAccount tokens used for per-namespace identity live. A policy file is read and validated here, at start-up,
 * so a bad file stops the agent with errors that name the document and field.
 */
import type { AccessPolicy } from '../../core/tenancy/access-policy.js';
import { parseAccessPolicyFile } from '../../core/tenancy/parse-access-policy-file.js';
import { ConfigError, parseDuration } from '../config-values.js';

export type AccessPolicySource =
  | { readonly source: 'none' }
  | { readonly source: 'crd' }
  | { readonly source: 'file'; readonly path: string; readonly policies: readonly AccessPolicy[] };

export interface TenancyConfig {
  readonly policy: AccessPolicySource;
  /** Lifetime asked for in each TokenRequest (the apiserver's minimum is 10 minutes). */
  readonly tokenExpirationSeconds: number;
}

export const NO_POLICY_WARNING =
  'tenancy: NO ACCESS POLICY IS IN FORCE. The agent reads every vault with its own identity, and an AzureKeyVaultSecret in any '
  + 'namespace may name any vault object (the akv2k8s default). To restrict it, set AKVSYNC_ACCESS_POLICY=crd and create '
  + 'AzureKeyVaultAccessPolicy objects, or set AKVSYNC_ACCESS_POLICY_FILE=<path to a policy file>; see docs/tenancy.md';

const SOURCES = ['none', 'crd', 'file'] as const;

export function loadTenancyConfig(get: (name: string) => string | undefined, readFile: (name: string) => string | undefined): TenancyConfig {
  const path = get('AKVSYNC_ACCESS_POLICY_FILE');
  const source = (get('AKVSYNC_ACCESS_POLICY') ?? (path !== undefined ? 'file' : 'none')).toLowerCase();
  if (!(SOURCES as readonly string[]).includes(source)) throw new ConfigError('AKVSYNC_ACCESS_POLICY', `must be one of ${SOURCES.join(', ')}`);
  if (source === 'file' && path === undefined) throw new ConfigError('AKVSYNC_ACCESS_POLICY_FILE', 'is required with AKVSYNC_ACCESS_POLICY=file');
  if (source !== 'file' && path !== undefined) throw new ConfigError('AKVSYNC_ACCESS_POLICY_FILE', `is set, but AKVSYNC_ACCESS_POLICY is ${source}`);
  const tokenExpirationSeconds = parseDuration('AKVSYNC_TENANT_TOKEN_EXPIRATION', get('AKVSYNC_TENANT_TOKEN_EXPIRATION'), 3_600_000, 600_000) / 1000;
  if (source !== 'file') return { policy: { source: source as 'none' | 'crd' }, tokenExpirationSeconds };
  const parsed = parseAccessPolicyFile(readFile('AKVSYNC_ACCESS_POLICY_FILE') ?? '');
  if (!parsed.ok) throw new ConfigError('AKVSYNC_ACCESS_POLICY_FILE', `${path} is not a valid policy file: ${parsed.errors.join('; ')}`);
  return { policy: { source: 'file', path: path as string, policies: parsed.policies }, tokenExpirationSeconds };
}
