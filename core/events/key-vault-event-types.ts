import type { KeyVaultEventKind, KeyVaultObjectType } from './key-vault-event.js';

/** The nine Key Vault event types akvsync acts on, with what each one is about. */
export interface KeyVaultEventTypeInfo {
  readonly eventType: string;
  readonly objectType: KeyVaultObjectType;
  readonly kind: KeyVaultEventKind;
}

const OBJECT_TYPES: readonly KeyVaultObjectType[] = ['Secret', 'Certificate', 'Key'];
const KINDS: readonly KeyVaultEventKind[] = ['NewVersionCreated', 'NearExpiry', 'Expired'];

export const KEY_VAULT_EVENT_TYPES: ReadonlyMap<string, KeyVaultEventTypeInfo> = new Map(
  OBJECT_TYPES.flatMap((objectType) =>
    KINDS.map((kind): [string, KeyVaultEventTypeInfo] => {
      const eventType = `Microsoft.KeyVault.${objectType}${kind}`;
      return [eventType.toLowerCase(), { eventType, objectType, kind }];
    }),
  ),
);

/** The canonical info for a handled event type (matched case-insensitively), or undefined for anything else. */
export function keyVaultEventType(eventType: string): KeyVaultEventTypeInfo | undefined {
  return KEY_VAULT_EVENT_TYPES.get(eventType.trim().toLowerCase());
}

/** The Key Vault URL collection (`/secrets/…`) that holds each object type. */
export const COLLECTION_OF: Readonly<Record<KeyVaultObjectType, string>> = {
  Secret: 'secrets',
  Certificate: 'certificates',
  Key: 'keys',
};
