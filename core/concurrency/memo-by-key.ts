/**
 * One promise per key: the first `get(key, load)` starts `load()`, later ones share its promise. A promise that
 * rejects is forgotten, so the next `get` of that key loads again (callers of the failed one still see the failure).
 */
export class MemoByKey<V> {
  private readonly promises = new Map<string, Promise<V>>();

  get(key: string, load: () => Promise<V>): Promise<V> {
    const known = this.promises.get(key);
    if (known) return known;
    const loading = load();
    loading.catch(() => {
      if (this.promises.get(key) === loading) this.promises.delete(key);
    });
    this.promises.set(key, loading);
    return loading;
  }
}
