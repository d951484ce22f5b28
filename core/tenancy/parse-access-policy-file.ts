/**
 * A policy file: YAML documents, each an AzureKeyVaultAccessPolicy as it would be applied to the cluster
 * (`apiVersion: akvsync.io/v1`, `kind`, `metadata.name`, `spec`). Every document is checked; errors name the
 * document and field, and a file with any error yields no policies (so a typo never narrows or widens access).
 */
import { parseAllDocuments } from 'yaml';
import { ACCESS_POLICY_API_VERSION, ACCESS_POLICY_KIND, type AccessPolicy } from './access-policy.js';
import { validateAccessPolicySpec } from './validate-access-policy.js';

export type AccessPolicyFile = { ok: true; policies: AccessPolicy[] } | { ok: false; errors: string[] };

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseAccessPolicyFile(text: string): AccessPolicyFile {
  const errors: string[] = [];
  const policies: AccessPolicy[] = [];
  const documents = parseAllDocuments(text);
  documents.forEach((doc, i) => {
    const where = `document ${i + 1}`;
    if (doc.errors.length > 0) {
      errors.push(`${where}: not valid YAML (${doc.errors[0]?.code ?? 'syntax error'} at line ${doc.errors[0]?.linePos?.[0]?.line ?? '?'})`);
      return;
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`${where}: must be an object`);
      return;
    }
    const o = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: unknown };
    if (o.apiVersion !== ACCESS_POLICY_API_VERSION) errors.push(`${where}.apiVersion: must be ${ACCESS_POLICY_API_VERSION}`);
    if (o.kind !== ACCESS_POLICY_KIND) errors.push(`${where}.kind: must be ${ACCESS_POLICY_KIND}`);
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name.length > 253 || !NAME.test(name)) {
      errors.push(`${where}.metadata.name: must be a Kubernetes object name`);
      return;
    }
    const validation = validateAccessPolicySpec(o.spec);
    if (!validation.ok) {
      errors.push(...validation.errors.map((e) => `${where} (${name}): ${e}`));
      return;
    }
    if (policies.some((p) => p.name === name)) errors.push(`${where}: policy '${name}' is defined twice`);
    else policies.push({ name, spec: validation.spec });
  });
  if (errors.length === 0 && policies.length === 0) errors.push(`the file defines no ${ACCESS_POLICY_KIND} (an empty policy would forbid everything)`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policies };
}
