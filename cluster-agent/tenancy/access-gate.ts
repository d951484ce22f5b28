/**
 * Tenancy in the reconcile loop, BEFORE any Key Vault call: each CR of a vault object is checked against the access
 * policy (its namespace's labels, the vault, type and name its spec names). Forbidden CRs are refused with a
 * TerminalError `Forbidden` whose message comes from the policy and the spec only, so it is the same whether the
 * object exists or not; the others are grouped by the store that reads for them (the agent's own identity, or the
 * namespace's identity from the policy), so each group costs one read per version.
 */
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { TerminalError } from '../../core/errors.js';
import type { VaultObjectStore } from '../../core/ports/vault-object-store.js';
import type { TenantIdentity } from '../../core/tenancy/access-policy.js';
import { FORBIDDEN_REASON, type AccessEvaluator } from '../../core/tenancy/evaluate-access.js';
import type { Labels } from '../../core/tenancy/label-selector.js';
import type { NamespaceLabels } from './namespace-labels.js';

export interface AccessGateDeps {
  readonly policies: () => AccessEvaluator;
  readonly namespaceLabels: NamespaceLabels;
  /** The agent's own identity. */
  readonly agentStore: VaultObjectStore;
  readonly storeFor: (namespace: string, identity: TenantIdentity) => VaultObjectStore;
}

export interface AccessSplit {
  readonly readers: { readonly store: VaultObjectStore; readonly crs: AzureKeyVaultSecret[] }[];
  readonly refused: { readonly cr: AzureKeyVaultSecret; readonly error: TerminalError }[];
}

export class AccessGate {
  constructor(private readonly deps: AccessGateDeps) {}

  /** A gate that lets everything through with the agent's identity (no policy in force). */
  static open(agentStore: VaultObjectStore): AccessGate {
    return new AccessGate({ policies: () => ({ enforced: false, evaluate: () => ({ allowed: true }) }), namespaceLabels: async () => ({}), agentStore, storeFor: () => agentStore });
  }

  /** The CRs the policy lets use their object (e.g. before telling them about it: an expiry must not reveal an object). */
  async permitted(crs: readonly AzureKeyVaultSecret[]): Promise<AzureKeyVaultSecret[]> {
    return (await this.split(crs)).readers.flatMap((r) => r.crs);
  }

  async split(crs: readonly AzureKeyVaultSecret[]): Promise<AccessSplit> {
    const policies = this.deps.policies();
    if (!policies.enforced) return { readers: crs.length > 0 ? [{ store: this.deps.agentStore, crs: [...crs] }] : [], refused: [] };
    const labels = new Map<string, Promise<Labels>>();
    const labelsOf = (ns: string): Promise<Labels> => {
      let known = labels.get(ns);
      if (!known) labels.set(ns, (known = this.deps.namespaceLabels(ns)));
      return known;
    };
    const byStore = new Map<VaultObjectStore, AzureKeyVaultSecret[]>();
    const refused: { cr: AzureKeyVaultSecret; error: TerminalError }[] = [];
    for (const cr of crs) {
      const { namespace } = cr.metadata;
      const { vault } = cr.spec;
      const decision = policies.evaluate({ namespace, namespaceLabels: await labelsOf(namespace), vault: vault.name, objectType: vault.object.type, objectName: vault.object.name });
      if (!decision.allowed) {
        refused.push({ cr, error: new TerminalError(FORBIDDEN_REASON, decision.message) });
        continue;
      }
      let store: VaultObjectStore;
      try {
        store = decision.identity ? this.deps.storeFor(namespace, decision.identity) : this.deps.agentStore;
      } catch (error) {
        refused.push({ cr, error: error instanceof TerminalError ? error : new TerminalError('TenantIdentityUnavailable', 'the namespace identity could not be set up') });
        continue;
      }
      const group = byStore.get(store) ?? [];
      group.push(cr);
      byStore.set(store, group);
    }
    return { readers: [...byStore].map(([store, group]) => ({ store, crs: group })), refused };
  }
}
