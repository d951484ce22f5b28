import type { KeyVaultEvent } from '../events/key-vault-event.js';
import { compileNameGlob } from './name-glob.js';

/** A cluster and the vault objects it wants (static configuration; the Table-backed registry gives the same shape). */
export interface ClusterRoute {
  readonly name: string;
  /** Vault names (case-insensitive), or `'*'` for every vault. */
  readonly vaults: readonly string[] | '*';
  /** Optional object-name globs (`*`, `?`); absent means every object of those vaults. */
  readonly objects?: readonly string[];
}

interface CompiledRoute {
  readonly name: string;
  readonly vaults: ReadonlySet<string> | undefined;
  readonly objects: readonly ((name: string) => boolean)[] | undefined;
}

/**
 * The cluster routes with their vault sets and object globs compiled once. Build it when the configuration is
 * loaded and hand it to planDeliveries for every batch; the routes are copied, so later changes to the input do not
 * affect it.
 */
export class RoutingTable {
  readonly #routes: readonly CompiledRoute[];

  constructor(clusters: readonly ClusterRoute[]) {
    this.#routes = clusters.map((c) => Object.freeze({
      name: c.name,
      vaults: c.vaults === '*' ? undefined : new Set(c.vaults.map((v) => v.toLowerCase())),
      objects: c.objects?.map(compileNameGlob),
    }));
  }

  /** Names of the clusters that want this event's vault object, in configuration order. */
  clustersFor(e: KeyVaultEvent): string[] {
    return this.#routes
      .filter((r) => (r.vaults === undefined || r.vaults.has(e.vault)) && (r.objects === undefined || r.objects.some((g) => g(e.objectName))))
      .map((r) => r.name);
  }
}
