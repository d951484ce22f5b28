import { akv2k8sStatusOf, akv2k8sStatusPatch, crResourceOf, isAkv2k8sObject } from '../../../../core/crd/akv2k8s-object.js';
import type { AkvsStatus } from '../../../../core/crd/azure-key-vault-secret.js';

const HMAC = 'a'.repeat(64);
const ready: AkvsStatus['conditions'] = [{ type: 'Ready', status: 'True', reason: 'Synced', message: 'ok', lastTransitionTime: '2026-12-01T00:00:00Z' }];
const synced: AkvsStatus = {
  conditions: ready, syncedVersion: 'v1', dataHash: HMAC, outputKind: 'Secret', outputName: 'db', lastChangeTime: '2026-12-01T00:00:01Z', lastSyncTime: '2026-12-01T00:00:01Z',
};

describe('akv2k8s objects (spv.no/v2beta1)', () => {
  it('tells the groups apart and names each one\'s resource', () => {
    expect(isAkv2k8sObject({ apiVersion: 'spv.no/v2beta1' })).toBe(true);
    expect(isAkv2k8sObject({ apiVersion: 'akvsync.io/v1' })).toBe(false);
    expect(isAkv2k8sObject({ apiVersion: 'g.spv.no/v2beta1' })).toBe(false);
    expect(crResourceOf({ apiVersion: 'spv.no/v2beta1' })).toEqual({ group: 'spv.no', version: 'v2beta1', plural: 'azurekeyvaultsecrets', apiVersion: 'spv.no/v2beta1' });
    expect(crResourceOf({ apiVersion: 'akvsync.io/v1' }).apiVersion).toBe('akvsync.io/v1');
  });

  it('projects only the five v2beta1 fields, the hash being the keyed data hash', () => {
    expect(akv2k8sStatusOf(synced)).toEqual({ secretName: 'db', secretHash: HMAC, lastAzureUpdate: '2026-12-01T00:00:01Z' });
    expect(akv2k8sStatusOf({ ...synced, outputKind: 'ConfigMap' })).toEqual({ configMapName: 'db', configMapHash: HMAC, lastAzureUpdate: '2026-12-01T00:00:01Z' });
  });

  it('on the first write sets what it knows and clears the hashes it does not hold (akv2k8s\'s unkeyed MD5 never stays)', () => {
    expect(akv2k8sStatusPatch({}, synced)).toEqual({ secretName: 'db', secretHash: HMAC, configMapHash: null, lastAzureUpdate: '2026-12-01T00:00:01Z' });
    const failedFirst: AkvsStatus = { conditions: [{ ...ready[0]!, status: 'False', reason: 'SecretNotOwned' }], lastError: 'x' };
    expect(akv2k8sStatusPatch(undefined, failedFirst)).toEqual({ secretHash: null, configMapHash: null });
  });

  it('afterwards sends only what moved, and nothing for a condition-only change', () => {
    const failed: AkvsStatus = { ...synced, conditions: [{ ...ready[0]!, status: 'False', reason: 'KeyVaultUnavailable' }], lastError: 'down' };
    expect(akv2k8sStatusPatch(synced, failed)).toBeUndefined();
    expect(akv2k8sStatusPatch(synced, { ...synced, dataHash: 'b'.repeat(64), lastChangeTime: '2026-12-01T00:01:00Z' }))
      .toEqual({ secretHash: 'b'.repeat(64), lastAzureUpdate: '2026-12-01T00:01:00Z' });
    expect(akv2k8sStatusPatch(synced, { ...synced, outputKind: 'ConfigMap', outputName: 'cm' }))
      .toEqual({ secretName: null, secretHash: null, configMapName: 'cm', configMapHash: HMAC });
  });
});
