/**
 * Builders for Key Vault events, "valid default plus overrides": wire items in Event Grid and CloudEvents schema,
 * the normalised KeyVaultEvent, and the captured-shape fixtures under test/fixtures/events/.
 */
import { readFileSync } from 'node:fs';
import type { KeyVaultEvent } from '../../core/events/key-vault-event.js';

export const FIXTURE_VAULT = 'kv-akvsync-prod';
export const FIXTURE_TOPIC =
  `/subscriptions/d3b6a1f0-5c2e-4f7a-9b1d-2e8c4a6f0b13/resourceGroups/rg-akvsync/providers/Microsoft.KeyVault/vaults/${FIXTURE_VAULT}`;
export const FIXTURE_VERSION = 'ee059b2bb5bc48398a53b168c6cdcb10';

/** Reads a fixture from test/fixtures/events/ as parsed JSON. */
export function loadEventFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}`, import.meta.url), 'utf8'));
}

export interface WireOverrides {
  /** Envelope fields to set; `undefined` removes the field. */
  readonly envelope?: Record<string, unknown>;
  /** `data` fields to set; `undefined` removes the field. */
  readonly data?: Record<string, unknown>;
}

function apply(base: Record<string, unknown>, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

const defaultData = (): Record<string, unknown> => ({
  Id: `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${FIXTURE_VERSION}`,
  VaultName: FIXTURE_VAULT,
  ObjectType: 'Secret',
  ObjectName: 'db-password',
  Version: FIXTURE_VERSION,
  NBF: '1741684542',
  EXP: '1744329600',
});

/** A SecretNewVersionCreated in Event Grid schema, as delivered (PascalCase data). */
export function eventGridItem(o: WireOverrides = {}): Record<string, unknown> {
  return apply(
    {
      id: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
      topic: FIXTURE_TOPIC,
      subject: 'db-password',
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      data: apply(defaultData(), o.data),
      dataVersion: '1',
      metadataVersion: '1',
      eventTime: '2025-03-11T09:15:42.1036736Z',
    },
    o.envelope,
  );
}

/** The same event in CloudEvents 1.0 schema. */
export function cloudEventItem(o: WireOverrides = {}): Record<string, unknown> {
  return apply(
    {
      id: 'c0ffee00-95a7-4e7c-8299-2eb17ee9ad64',
      source: FIXTURE_TOPIC,
      specversion: '1.0',
      type: 'Microsoft.KeyVault.SecretNewVersionCreated',
      subject: 'db-password',
      time: '2025-03-11T09:15:42.1036736Z',
      data: apply(defaultData(), o.data),
    },
    o.envelope,
  );
}

/** A normalised event, as parseKeyVaultEvents returns it. */
export function keyVaultEvent(overrides: Partial<KeyVaultEvent> = {}): KeyVaultEvent {
  return {
    eventId: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
    eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
    kind: 'NewVersionCreated',
    objectType: 'Secret',
    vault: FIXTURE_VAULT,
    objectName: 'db-password',
    version: FIXTURE_VERSION,
    eventTime: '2025-03-11T09:15:42.1036736Z',
    vaultResourceId: FIXTURE_TOPIC,
    notBefore: 1741684542,
    expires: 1744329600,
    ...overrides,
  };
}
