/**
 * An informer on Secrets in some namespaces that remembers each Secret's value under one data key and when it last
 * changed (performance.now()), so a benchmark can ask when a Secret first held a value, whoever wrote it. The
 * apiserver ends watches now and then: the informer is restarted (re-list, re-watch) half a second later.
 * Values stay in memory; nothing is printed.
 */
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { waitUntil } from '../../scripts/local-stack/wait-until.js';

interface Seen {
  readonly value: string | undefined;
  readonly at: number;
}

export class SecretValueWatch {
  private readonly seen = new Map<string, Seen>();
  private watching = true;
  private informer: Informer<V1Secret> | undefined;

  private constructor(
    private readonly namespaces: ReadonlySet<string>,
    private readonly dataKey: string,
  ) {}

  static async start(kubeConfig: KubeConfig, namespaces: readonly string[], dataKey = 'value'): Promise<SecretValueWatch> {
    const watch = new SecretValueWatch(new Set(namespaces), dataKey);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Secret>(kubeConfig, '/api/v1/secrets', () => core.listSecretForAllNamespaces());
    watch.informer = informer;
    informer.on('add', (secret) => watch.onSecret(secret));
    informer.on('update', (secret) => watch.onSecret(secret));
    informer.on('error', (error: unknown) => {
      if (!watch.watching) return;
      process.stderr.write(`bench: Secret watch ended (${(error as Error | undefined)?.message ?? String(error)}); restarting\n`);
      setTimeout(() => {
        if (watch.watching) informer.start().catch(() => undefined);
      }, 500);
    });
    await informer.start();
    return watch;
  }

  private onSecret(secret: V1Secret): void {
    const namespace = secret.metadata?.namespace ?? '';
    if (!this.namespaces.has(namespace)) return;
    const key = `${namespace}/${secret.metadata?.name ?? ''}`;
    const raw = secret.data?.[this.dataKey];
    const value = raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
    if (this.seen.get(key)?.value === value) return;
    this.seen.set(key, { value, at: performance.now() });
  }

  /** How many Secrets of `namespace` hold the value `expected(name)` now. */
  countHolding(namespace: string, expected: (name: string) => string): number {
    let n = 0;
    for (const [key, seen] of this.seen) {
      const [ns, name] = key.split('/') as [string, string];
      if (ns === namespace && seen.value === expected(name)) n++;
    }
    return n;
  }

  /** performance.now() at which namespace/name started holding `value` (waits for it; rejects after timeoutMs). */
  async whenHolds(namespace: string, name: string, value: string, timeoutMs: number, failFast?: () => Error | undefined): Promise<number> {
    const key = `${namespace}/${name}`;
    return waitUntil(`${key} to hold the rotated value`, async () => {
      const seen = this.seen.get(key);
      return seen?.value === value ? seen.at : undefined;
    }, { timeoutMs, intervalMs: 25, failFast });
  }

  stop(): void {
    this.watching = false;
    void this.informer?.stop();
  }
}
