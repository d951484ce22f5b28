import { expiringStatus, failedStatus, syncedStatus } from '../../../../cluster-agent/controller/akvs-status.js';
import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { akvs } from '../support/builders.js';

const NOW = '2026-01-01T00:00:00.000Z';
const facts = (version: string) => ({ version, dataHash: 'h', output: { kind: 'Secret' as const, name: 'db' }, dataChanged: true, expiresOn: undefined });
const condition = (cr: AzureKeyVaultSecret, type: string) => cr.status?.conditions?.find((c) => c.type === type);
const withStatus = (cr: AzureKeyVaultSecret, status: AzureKeyVaultSecret['status']): AzureKeyVaultSecret => ({ ...cr, status });

describe('CR status across the lifecycle', () => {
  it('a disabled or deleted Key Vault object: Ready=False with its code, the message naming the version kept', () => {
    const cr = withStatus(akvs(), syncedStatus(akvs(), facts('v1'), NOW));
    for (const code of ['SecretDisabled', 'SecretNotFound']) {
      const failed = withStatus(cr, failedStatus(cr, { code, message: 'Key Vault secret kv1/db-password is gone' }, NOW));
      expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: code, message: 'Key Vault secret kv1/db-password is gone; the output keeps version v1' });
      expect(failed.status?.syncedVersion).toBe('v1');
      // Back: Ready again.
      expect(condition(withStatus(failed, syncedStatus(failed, { ...facts('v1'), dataChanged: false }, NOW)), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    }
    // A transient failure still keeps Ready (the value is current as far as anyone knows).
    expect(condition(withStatus(cr, failedStatus(cr, { code: 'KeyVaultThrottled', message: 'throttled' }, NOW)), 'Ready')).toMatchObject({ status: 'True', reason: 'LastValueKept' });
  });

  it('Expiring clears when a new version syncs, not when the same one is confirmed', () => {
    const synced = withStatus(akvs(), syncedStatus(akvs(), facts('v1'), NOW));
    const expiring = withStatus(synced, expiringStatus(synced, 'NearExpiry', 'expires soon', NOW));
    expect(condition(expiring, 'Expiring')).toMatchObject({ status: 'True', reason: 'NearExpiry' });
    const same = withStatus(expiring, syncedStatus(expiring, { ...facts('v1'), dataChanged: false }, NOW));
    expect(condition(same, 'Expiring')).toMatchObject({ status: 'True' });
    const next = withStatus(same, syncedStatus(same, facts('v2'), NOW));
    expect(condition(next, 'Expiring')).toMatchObject({ status: 'False', reason: 'NewVersionSynced' });
    // A CR never warned gets no Expiring condition at all.
    expect(condition(withStatus(synced, syncedStatus(synced, facts('v2'), NOW)), 'Expiring')).toBeUndefined();
  });

  it('an output removed from the spec is no longer named by the status', () => {
    const synced = withStatus(akvs(), syncedStatus(akvs(), facts('v1'), NOW));
    const none = syncedStatus(synced, { ...facts('v1'), output: undefined, dataHash: undefined }, NOW);
    expect(none.outputKind).toBeUndefined();
    expect(none.outputName).toBeUndefined();
  });
});
