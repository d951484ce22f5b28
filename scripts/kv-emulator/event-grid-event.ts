/**
 * Key Vault events in the Event Grid schema, exactly as Azure delivers them: PascalCase `data` keys,
 * `subject` = object name, `topic` = the vault's resource id, and `data.Id` in the Azure host form
 * `https://<vault>.vault.azure.net/<secrets|certificates|keys>/<name>/<version>`. No values, ever.
 */
import type { NewVersion, ObjectType } from './object-records.js';

export interface KeyVaultEventData {
  readonly Id: string;
  readonly VaultName: string;
  readonly ObjectType: ObjectType;
  readonly ObjectName: string;
  readonly Version: string;
  readonly NBF: number | null;
  readonly EXP: number | null;
}

export interface EventGridEvent {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly dataVersion: '1';
  readonly metadataVersion: '1';
  readonly data: KeyVaultEventData;
}

const COLLECTION: Record<ObjectType, string> = { Secret: 'secrets', Certificate: 'certificates', Key: 'keys' };

export function newVersionEvent(input: { id: string; vault: string; resourceId: string; eventTime: string; created: NewVersion }): EventGridEvent {
  const { created } = input;
  return {
    id: input.id,
    topic: input.resourceId,
    subject: created.name,
    eventType: `Microsoft.KeyVault.${created.objectType}NewVersionCreated`,
    eventTime: input.eventTime,
    dataVersion: '1',
    metadataVersion: '1',
    data: {
      Id: `https://${input.vault}.vault.azure.net/${COLLECTION[created.objectType]}/${created.name}/${created.version}`,
      VaultName: input.vault,
      ObjectType: created.objectType,
      ObjectName: created.name,
      Version: created.version,
      NBF: created.nbf ?? null,
      EXP: created.exp ?? null,
    },
  };
}
