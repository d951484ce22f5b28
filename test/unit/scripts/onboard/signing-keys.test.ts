import { addSigningKey, retireSigningKey, signingKeySetting, type KeyringStore, type SigningKeyVault } from '../../../../scripts/onboard/signing-keys.js';

function fakes(initial?: Record<string, string>) {
  const calls: string[] = [];
  let keys = initial ? new Map(Object.entries(initial)) : undefined;
  let version = 0;
  const current = new Map<string, string>();
  const keyring: KeyringStore = {
    description: 'ns/keyring',
    read: async () => (keys ? { keys: new Map(keys), resourceVersion: String(version) } : undefined),
    write: async (next) => {
      calls.push(`keyring:${[...next.keys()].join(',')}`);
      keys = new Map(next);
      version++;
    },
  };
  const vault: SigningKeyVault & { fail?: boolean } = {
    store: async (name, _key, keyId) => {
      if (vault.fail) throw new Error('vault down');
      calls.push(`vault:${name}:${keyId}`);
      current.set(name, keyId);
      return `v${calls.length}`;
    },
    currentKeyId: async (name) => current.get(name),
  };
  return { calls, keyring, vault, keys: () => keys };
}

const base64Key = (n: number): string => Buffer.alloc(32, n).toString('base64');
let t = Date.parse('2026-12-01T05:00:00Z');
const now = (): Date => new Date((t += 1000));

describe('addSigningKey', () => {
  it('writes the keyring before Key Vault, so the agent knows a key before the Function can sign with it', async () => {
    const f = fakes();
    const result = await addSigningKey('prod', { keyring: f.keyring, vault: f.vault, now, random: () => Buffer.alloc(32, 7) });
    expect(f.calls).toEqual([`keyring:${result.keyId}`, `vault:akvsync-signing-prod:${result.keyId}`]);
    expect(f.keys()?.get(result.keyId)).toBe(base64Key(7));
    expect(JSON.stringify(result)).not.toContain(base64Key(7));
  });

  it('leaves the keyring with an unused extra key (harmless, retire-able) when Key Vault fails', async () => {
    const f = fakes({ 'prod-old': base64Key(1) });
    f.vault.fail = true;
    await expect(addSigningKey('prod', { keyring: f.keyring, vault: f.vault, now })).rejects.toThrow('vault down');
    expect([...(f.keys()?.keys() ?? [])]).toHaveLength(2);
    expect(f.keys()?.get('prod-old')).toBe(base64Key(1));
  });

  it('refuses a seventeenth key and a keyring it cannot read, changing nothing', async () => {
    const full = fakes(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, base64Key(i)])));
    await expect(addSigningKey('prod', { keyring: full.keyring, vault: full.vault, now })).rejects.toThrow(/already holds 16 keys: retire one first/);
    const broken = fakes({ 'bad id!': base64Key(1) });
    await expect(addSigningKey('prod', { keyring: broken.keyring, vault: broken.vault, now })).rejects.toThrow(/key id/);
    expect([...full.calls, ...broken.calls]).toEqual([]);
  });
});

describe('retireSigningKey', () => {
  it('refuses the key Key Vault currently holds, then removes an old one', async () => {
    const f = fakes();
    const a = await addSigningKey('prod', { keyring: f.keyring, vault: f.vault, now });
    await expect(retireSigningKey('prod', a.keyId, f)).rejects.toThrow(/current version/);
    const b = await addSigningKey('prod', { keyring: f.keyring, vault: f.vault, now });
    await expect(retireSigningKey('prod', b.keyId, f)).rejects.toThrow(/current version/);
    expect((await retireSigningKey('prod', a.keyId, f)).keyring.keyIds).toEqual([b.keyId]);
  });
});

it('names the Function app setting the infra creates for the cluster', () => {
  expect(signingKeySetting('prod-weu')).toBe('AKVSYNC_KEY_PROD_WEU');
});
