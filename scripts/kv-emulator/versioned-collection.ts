/**
 * Named objects with versions in creation order, the way Key Vault keeps secrets, keys and certificates.
 * Names are case-insensitive; the spelling of the first creation is kept. The latest version is the last created.
 */
export interface VersionedObject<V> {
  readonly name: string;
  readonly versions: V[];
}

export class VersionedCollection<V extends { readonly version: string }> {
  private readonly byName = new Map<string, VersionedObject<V>>();

  /** Appends a version, creating the object on first use. */
  add(name: string, record: V): VersionedObject<V> {
    const key = name.toLowerCase();
    let entry = this.byName.get(key);
    if (!entry) {
      entry = { name, versions: [] };
      this.byName.set(key, entry);
    }
    entry.versions.push(record);
    return entry;
  }

  find(name: string): VersionedObject<V> | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The latest version when `version` is empty or undefined. */
  get(name: string, version?: string): { name: string; record: V } | undefined {
    const entry = this.find(name);
    if (!entry) return undefined;
    const record = version
      ? entry.versions.find((v) => v.version === version.toLowerCase())
      : entry.versions[entry.versions.length - 1];
    return record ? { name: entry.name, record } : undefined;
  }

  /** Every object, sorted by lower-cased name (the order listings page through). */
  list(): VersionedObject<V>[] {
    return [...this.byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  }

  remove(name: string): VersionedObject<V> | undefined {
    const key = name.toLowerCase();
    const entry = this.byName.get(key);
    this.byName.delete(key);
    return entry;
  }

  restore(entry: VersionedObject<V>): void {
    this.byName.set(entry.name.toLowerCase(), entry);
  }
}
