import { MemoByKey } from '../../core/concurrency/memo-by-key.js';
import type { OutputKind } from '../../core/crd/output-kind.js';
import type { ClusterApi, ExistingOutput, OutputRef } from '../ports/cluster-api.js';

/**
 * How the outputs one reconcile is about to write are read first. A namespace where several of them live is listed
 * once by the source label (every output of this Key Vault object there), instead of one GET each: a change shared
 * by 1,000 CRs in 100 namespaces costs 100 lists, not 1,000 reads. An output the list does not hold (new, written
 * before the label existed, or somebody else's object of that name) is still read on its own, so the ownership check
 * always sees what is really there.
 */
export class OutputLookup {
  private readonly wanted = new Map<string, number>();
  /** Per kind/namespace, the listed outputs by name; a failed list is not remembered (the next output asks again). */
  private readonly listings = new MemoByKey<Map<string, ExistingOutput>>();
  /** Reads started by `prefetch`, by kind/namespace/name, each handed to the first `get` of that output. */
  private readonly prefetched = new Map<string, Promise<ExistingOutput | undefined>>();

  constructor(
    private readonly cluster: ClusterApi,
    /** A label selector matching the outputs of this vault object (the existence of its source label). */
    private readonly sourceSelector: string,
    outputs: readonly Omit<OutputRef, 'name'>[],
  ) {
    for (const o of outputs) {
      const key = scope(o.kind, o.namespace);
      this.wanted.set(key, (this.wanted.get(key) ?? 0) + 1);
    }
  }

  /**
   * Starts reading these outputs now (they are about to be written); `get` then answers from the read in flight. A
   * failed prefetch is not remembered: `get` reads again, so the error reaches the write that needs the output.
   */
  prefetch(refs: readonly OutputRef[]): void {
    for (const ref of refs) {
      const id = `${scope(ref.kind, ref.namespace)}/${ref.name}`;
      if (this.prefetched.has(id)) continue;
      const read = this.read(ref);
      this.prefetched.set(id, read);
      read.catch(() => this.prefetched.delete(id));
    }
  }

  get(ref: OutputRef): Promise<ExistingOutput | undefined> {
    const id = `${scope(ref.kind, ref.namespace)}/${ref.name}`;
    const started = this.prefetched.get(id);
    if (started) {
      this.prefetched.delete(id);
      return started;
    }
    return this.read(ref);
  }

  private async read(ref: OutputRef): Promise<ExistingOutput | undefined> {
    const key = scope(ref.kind, ref.namespace);
    if ((this.wanted.get(key) ?? 0) < 2) return this.cluster.getOutput(ref);
    const listed = await this.listings.get(key, async () => {
      const items = await this.cluster.listOutputs(ref.kind, ref.namespace, this.sourceSelector);
      return new Map(items.map((o) => [o.name, o]));
    });
    return listed.get(ref.name) ?? this.cluster.getOutput(ref);
  }
}

const scope = (kind: OutputKind, namespace: string): string => `${kind}/${namespace}`;
