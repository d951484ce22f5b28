import { randomBytes } from 'node:crypto';
import { NotFoundError, TerminalError } from '../../../../core/errors.js';
import type { VaultObject, VaultObjectProperties, VaultObjectRef, VaultObjectStore, VaultObjectType } from '../../../../core/ports/vault-object-store.js';

interface StoredVersion {
  version: string;
  value: string;
  contentType: string | undefined;
  enabled: boolean;
  updatedOn: number;
}

/** VaultObjectStore fake over secret values (keys: UnsupportedObjectType, as the adapter): versions per object, read counters, failures to inject. */
export class InMemoryVaultObjectStore implements VaultObjectStore {
  private readonly objects = new Map<string, StoredVersion[]>();
  private readonly failures: unknown[] = [];
  private listFailure: unknown;
  private tick = 1_700_000_000_000;
  readonly reads: string[] = [];
  listCalls = 0;

  set(vault: string, name: string, value: string, opts: { contentType?: string } = {}): string {
    const version = randomBytes(16).toString('hex');
    const list = this.objects.get(`${vault}/${name}`) ?? [];
    list.push({ version, value, contentType: opts.contentType, enabled: true, updatedOn: (this.tick += 1000) });
    this.objects.set(`${vault}/${name}`, list);
    return version;
  }

  disable(vault: string, name: string): void {
    const latest = this.objects.get(`${vault}/${name}`)?.at(-1);
    if (latest) Object.assign(latest, { enabled: false, updatedOn: (this.tick += 1000) });
  }

  delete(vault: string, name: string): void {
    this.objects.delete(`${vault}/${name}`);
  }

  /** The next read calls throw these, in order. */
  failNext(...errors: unknown[]): void {
    this.failures.push(...errors);
  }

  failList(error: unknown): void {
    this.listFailure = error;
  }

  async read(ref: VaultObjectRef, version?: string): Promise<VaultObject> {
    const { vault, name } = ref;
    if (ref.objectType === 'key') throw new TerminalError('UnsupportedObjectType', `Key Vault keys are not synced yet (${vault}/${name})`);
    this.reads.push(`${vault}/${name}${version ? `/${version}` : ''}`);
    if (this.failures.length > 0) throw this.failures.shift();
    const list = this.objects.get(`${vault}/${name}`);
    const v = version ? list?.find((x) => x.version === version) : list?.at(-1);
    if (!v) throw new NotFoundError('SecretNotFound', `Key Vault secret ${vault}/${name} was not found`);
    if (!v.enabled) throw new NotFoundError('SecretDisabled', `Key Vault secret ${vault}/${name} is disabled`);
    return { kind: 'secret-value', vault, name, version: v.version, value: v.value, contentType: v.contentType, enabled: true, updatedOn: v.updatedOn, expiresOn: undefined };
  }

  async *listProperties(vault: string, objectType: VaultObjectType): AsyncIterable<VaultObjectProperties> {
    this.listCalls++;
    if (objectType !== 'secret') throw new TerminalError('UnsupportedObjectType', `listing ${objectType}s`);
    if (this.listFailure) throw this.listFailure;
    for (const [id, list] of this.objects) {
      const [v, name] = id.split('/') as [string, string];
      const latest = list.at(-1);
      if (v !== vault || !latest) continue;
      yield { vault, name, version: undefined, enabled: latest.enabled, contentType: latest.contentType, updatedOn: latest.updatedOn };
    }
  }
}
