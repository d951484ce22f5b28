/**
 * The secrets of one emulated vault: versions, PATCH of attributes, soft delete with recover and purge.
 * Rules follow Key Vault: a disabled version cannot be read, a deleted name cannot be reused until it is
 * purged or recovered, a certificate's backing secret cannot be written through the secrets API.
 */
import { KvError, badParameter, disabled, notFound } from './kv-error.js';
import { type AttributeInput, type NewVersion, type SecretRecord, newAttributes, patchAttributes } from './object-records.js';
import { VersionedCollection, type VersionedObject } from './versioned-collection.js';

export interface SecretInput extends AttributeInput {
  value: string;
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
}

export interface SecretPatch extends AttributeInput {
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
}

export interface DeletedSecret {
  readonly entry: VersionedObject<SecretRecord>;
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
}

export interface StateDeps {
  nowSeconds(): number;
  newVersionId(): string;
  onNewVersion(created: NewVersion): void;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_VALUE_BYTES = 25 * 1024;
const RETENTION_SECONDS = 90 * 86_400;

export function checkObjectName(name: string): void {
  if (!NAME.test(name)) throw badParameter(`The object name '${name}' is invalid: use 1-127 letters, digits and dashes.`);
}

export class SecretState {
  readonly collection = new VersionedCollection<SecretRecord>();
  private readonly deleted = new Map<string, DeletedSecret>();

  constructor(private readonly deps: StateDeps) {}

  /** A new version. `managed` is for the secret behind a certificate (its events are the certificate's). */
  set(name: string, input: SecretInput, options: { managed?: boolean; version?: string } = {}): { name: string; record: SecretRecord } {
    checkObjectName(name);
    if (Buffer.byteLength(input.value, 'utf8') > MAX_VALUE_BYTES) throw badParameter('The secret value is larger than 25 KB.');
    if (this.deleted.has(name.toLowerCase())) {
      throw new KvError(409, 'Conflict', `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`, 'ObjectIsDeletedButRecoverable');
    }
    const managed = options.managed ?? false;
    if (!managed && this.collection.get(name)?.record.managed) throw managedError(name);
    const record: SecretRecord = {
      version: options.version ?? this.deps.newVersionId(),
      value: input.value,
      contentType: input.contentType,
      tags: input.tags,
      attributes: newAttributes(input, this.deps.nowSeconds()),
      managed,
    };
    const entry = this.collection.add(name, record);
    if (!managed) this.deps.onNewVersion({ objectType: 'Secret', name: entry.name, version: record.version, nbf: record.attributes.nbf, exp: record.attributes.exp });
    return { name: entry.name, record };
  }

  /** A readable version: 404 when absent, 403 SecretDisabled when disabled. */
  get(name: string, version?: string): { name: string; record: SecretRecord } {
    const found = this.properties(name, version);
    if (!found.record.attributes.enabled) throw disabled('Secret');
    return found;
  }

  /** A version whatever its state (for PATCH and listings). */
  properties(name: string, version?: string): { name: string; record: SecretRecord } {
    checkObjectName(name);
    const found = this.collection.get(name, version);
    if (!found) throw notFound('Secret', name, version);
    return found;
  }

  update(name: string, version: string | undefined, patch: SecretPatch): { name: string; record: SecretRecord } {
    const found = this.properties(name, version);
    if (found.record.managed) throw managedError(found.name);
    if (patch.contentType !== undefined) found.record.contentType = patch.contentType;
    if (patch.tags !== undefined) found.record.tags = patch.tags;
    patchAttributes(found.record.attributes, patch, this.deps.nowSeconds());
    return found;
  }

  versions(name: string): VersionedObject<SecretRecord> {
    checkObjectName(name);
    const entry = this.collection.find(name);
    if (!entry) throw notFound('Secret', name);
    return entry;
  }

  list(): VersionedObject<SecretRecord>[] {
    return this.collection.list();
  }

  delete(name: string): DeletedSecret {
    const entry = this.versions(name);
    if (entry.versions.some((v) => v.managed)) throw managedError(entry.name);
    const now = this.deps.nowSeconds();
    const deleted: DeletedSecret = { entry, deletedDate: now, scheduledPurgeDate: now + RETENTION_SECONDS };
    this.collection.remove(name);
    this.deleted.set(name.toLowerCase(), deleted);
    return deleted;
  }

  getDeleted(name: string): DeletedSecret {
    checkObjectName(name);
    const deleted = this.deleted.get(name.toLowerCase());
    if (!deleted) throw new KvError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return deleted;
  }

  listDeleted(): DeletedSecret[] {
    return [...this.deleted.values()].sort((a, b) => (a.entry.name.toLowerCase() < b.entry.name.toLowerCase() ? -1 : 1));
  }

  purge(name: string): void {
    this.getDeleted(name);
    this.deleted.delete(name.toLowerCase());
  }

  recover(name: string): { name: string; record: SecretRecord } {
    const deleted = this.getDeleted(name);
    this.deleted.delete(name.toLowerCase());
    this.collection.restore(deleted.entry);
    return this.properties(name);
  }
}

function managedError(name: string): KvError {
  return new KvError(403, 'Forbidden', `Secret ${name} is managed by a certificate: change it through the certificate.`);
}
