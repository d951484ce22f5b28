import type { SigningKey } from '../../../core/notification/signature.js';
import { ClusterSigningKeys } from '../../../functions/cluster-signing-keys.js';

const fixed: SigningKey = { keyId: 'prod-a-1', key: new Uint8Array(32).fill(1) };
const fromVault: SigningKey = { keyId: 'edge-2', key: new Uint8Array(32).fill(2) };
const vaultAsked: string[] = [];
const vault = {
  current: (cluster: string) => (vaultAsked.push(cluster), Promise.resolve(cluster === 'edge' ? fromVault : undefined)),
  withId: async (cluster: string, keyId: string) => (cluster === 'edge' && keyId === 'edge-1' ? { keyId, key: new Uint8Array(32).fill(3) } : undefined),
};

describe('ClusterSigningKeys', () => {
  it('answers a key from settings synchronously and never asks Key Vault for that cluster', async () => {
    const keys = new ClusterSigningKeys(new Map([['prod-a', fixed]]), vault);
    expect(keys.current('prod-a')).toBe(fixed);
    expect(await keys.withId('prod-a', 'prod-a-1')).toBe(fixed);
    expect(await keys.withId('prod-a', 'edge-1')).toBeUndefined();
    expect(vaultAsked).toEqual([]);
  });

  it('asks Key Vault for every other cluster, and has no key at all without it', async () => {
    const keys = new ClusterSigningKeys(new Map([['prod-a', fixed]]), vault);
    expect(await keys.current('edge')).toBe(fromVault);
    expect((await keys.withId('edge', 'edge-1'))?.keyId).toBe('edge-1');
    expect(await keys.current('nobody')).toBeUndefined();
    const settingsOnly = new ClusterSigningKeys(new Map(), undefined);
    expect(settingsOnly.current('edge')).toBeUndefined();
    expect(await settingsOnly.withId('edge', 'edge-1')).toBeUndefined();
  });
});
