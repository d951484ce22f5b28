/**
 * Namespaces' labels, for the access policy's namespace selectors: kept from a namespace watch (so a label change
 * re-queues that namespace's CRs at once), with a GET for a namespace the watch has not delivered yet. A namespace that
 * is gone has no labels.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Labels } from '../../core/tenancy/label-selector.js';
import { isKubeNotFound, kubeError } from '../adapters/kube-errors.js';

export type NamespaceLabels = (namespace: string) => Promise<Labels>;

export interface NamespaceObject {
  readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string> };
}

export function kubeNamespaceLabels(core: CoreV1Api): NamespaceLabels {
  return async (name) => {
    try {
      const ns = await core.readNamespace({ name });
      return ns.metadata?.labels ?? {};
    } catch (error) {
      if (isKubeNotFound(error)) return {};
      throw kubeError(error, `get namespace ${name}`);
    }
  };
}

export class NamespaceLabelCache {
  private readonly labels = new Map<string, Labels>();

  constructor(
    private readonly fetch: NamespaceLabels,
    /** Called with a namespace whose labels changed (not on its first sighting). */
    private readonly onChange: (namespace: string) => void,
    private readonly onRemove: (namespace: string) => void = () => undefined,
  ) {}

  labelsOf(namespace: string): Promise<Labels> {
    const known = this.labels.get(namespace);
    return known ? Promise.resolve(known) : this.fetch(namespace);
  }

  upsert(ns: NamespaceObject): void {
    const name = ns.metadata?.name;
    if (!name) return;
    const next: Labels = { ...(ns.metadata?.labels ?? {}) };
    const previous = this.labels.get(name);
    this.labels.set(name, next);
    if (previous && !sameLabels(previous, next)) this.onChange(name);
  }

  remove(ns: NamespaceObject): void {
    if (!ns.metadata?.name) return;
    this.labels.delete(ns.metadata.name);
    this.onRemove(ns.metadata.name);
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}
