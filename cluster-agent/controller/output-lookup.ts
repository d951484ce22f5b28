import type { ClusterApi, ExistingOutput, OutputKind, OutputRef } from '../ports/cluster-api.js';

/**
 * How the outputs one reconcile is about to write are read first. A namespace where several of them live is listed
 * once by the source label (every output of this Key Vault object there), instead of one GET each: a change shared
 * by 1,000 CRs in 100 namespaces costs 100 lists, not 1,000 reads. An output the list does not hold (new, written
 * before the label existed, or somebody else's object of that name) is still read on its own, so the ownership check
 * always sees what is really there.
 */
export class OutputLookup {
  private readonly wanted = new Map<string, number>();
  private readonly listings = new Map<string, Promise<Map<string, ExistingOutput>>>();

  constructor(
    private readonly cluster: ClusterApi,
    /** A label selector matching the outputs of this vault object (the existence of its source label). */
    private readonly sourceSelector: string,
    outputs: readonly Omit<OutputRef, 'name'>[],
  ) {
    for (const o of outputs) this.wanted.set(scope(o.kind, o.namespace), (this.wanted.get(scope(o.kind, o.namespace)) ?? 0) + 1);
  }

  async get(ref: OutputRef): Promise<ExistingOutput | undefined> {
    if ((this.wanted.get(scope(ref.kind, ref.namespace)) ?? 0) < 2) return this.cluster.getOutput(ref);
    const listed = (await this.list(ref.kind, ref.namespace)).get(ref.name);
    return listed ?? this.cluster.getOutput(ref);
  }

  private list(kind: OutputKind, namespace: string): Promise<Map<string, ExistingOutput>> {
    const key = scope(kind, namespace);
    let listing = this.listings.get(key);
    if (!listing) {
      listing = this.cluster.listOutputs(kind, namespace, this.sourceSelector).then((items) => new Map(items.map((o) => [o.name, o])));
      // A failed list is not remembered: the next output in this namespace asks again.
      listing.catch(() => this.listings.delete(key));
      this.listings.set(key, listing);
    }
    return listing;
  }
}

const scope = (kind: OutputKind, namespace: string): string => `${kind}/${namespace}`;
