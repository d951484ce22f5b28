import { randomBytes } from 'node:crypto';
import type { SigningKey } from '../../../../core/notification/signature.js';
import { KEY_ID_TAG } from '../../../../core/registry/signing-key-secret.js';
import { KeyVaultSigningKeys, type SigningKeySecrets } from '../../../../functions/adapters/key-vault-signing-keys.js';
import { ManualClock } from '../support/manual-clock.js';

interface Version {
  readonly version: string;
  value: string;
  tags: Record<string, string>;
  enabled: boolean;
}

/** The two SecretClient calls the adapter makes, over versions kept in memory; `fail` makes the next calls throw. */
class FakeSecrets {
  readonly versions = new Map<string, Version[]>();
  reads = 0;
  lists = 0;
  fail: { statusCode?: number; code?: string } | undefined;

  add(name: string, keyId: string, value = randomBytes(32).toString('base64')): string {
    const list = this.versions.get(name) ?? [];
    list.push({ version: `v${list.length + 1}`, value, tags: { [KEY_ID_TAG]: keyId }, enabled: true });
    this.versions.set(name, list);
    return value;
  }

  get client(): SigningKeySecrets {
    return fakeClient(this);
  }
}

function fakeClient(self: FakeSecrets): SigningKeySecrets {
  const failure = (): Error => Object.assign(new Error(`boom ${self.fail?.statusCode ?? ''}`), self.fail);
  return {
    async getSecret(name: string, options?: { version?: string }) {
      self.reads++;
      if (self.fail) throw failure();
      const list = self.versions.get(name);
      const v = options?.version ? list?.find((x) => x.version === options.version) : list?.at(-1);
      if (!v) throw Object.assign(new Error('SecretNotFound'), { statusCode: 404 });
      return { name, value: v.value, properties: { name, vaultUrl: 'https://keys.example', version: v.version, tags: v.tags, enabled: v.enabled } };
    },
    listPropertiesOfSecretVersions(name: string) {
      self.lists++;
      const list = self.versions.get(name) ?? [];
      return (async function* () {
        if (self.fail) throw failure();
        for (const v of list) yield { name, vaultUrl: 'https://keys.example', version: v.version, tags: v.tags, enabled: v.enabled };
      })();
    },
  } as unknown as SigningKeySecrets;
}

const TTL = 60_000;
function setup() {
  const secrets = new FakeSecrets();
  const clock = new ManualClock(Date.parse('2026-12-01T08:00:00Z'));
  return { secrets, clock, keys: new KeyVaultSigningKeys({ secrets: secrets.client, clock, ttlMs: TTL }) };
}
const bytesOf = (key: SigningKey | undefined): string => Buffer.from(key?.key ?? []).toString('base64');

describe('KeyVaultSigningKeys', () => {
  it('reads a cluster’s current key once for concurrent callers, then answers synchronously until the TTL ends', async () => {
    const { secrets, clock, keys } = setup();
    const value = secrets.add('akvsync-signing-prod-a', 'prod-a-1');
    const [a, b] = [keys.current('prod-a'), keys.current('prod-a')];
    expect(a).toBeInstanceOf(Promise);
    expect(bytesOf(await a)).toBe(value);
    expect((await b)?.keyId).toBe('prod-a-1');
    expect(secrets.reads).toBe(1);
    const hit = keys.current('prod-a');
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as SigningKey).keyId).toBe('prod-a-1');
    expect(JSON.stringify(hit)).not.toContain(value);
    clock.advance(TTL - 1);
    expect(keys.current('prod-a')).not.toBeInstanceOf(Promise);
    expect(secrets.reads).toBe(1);
  });

  it('picks up a rotation after the TTL: the newest version signs', async () => {
    const { secrets, clock, keys } = setup();
    secrets.add('akvsync-signing-prod-a', 'prod-a-1');
    await keys.current('prod-a');
    const newer = secrets.add('akvsync-signing-prod-a', 'prod-a-2');
    expect((keys.current('prod-a') as SigningKey).keyId).toBe('prod-a-1');
    clock.advance(TTL);
    const rotated = await keys.current('prod-a');
    expect(rotated?.keyId).toBe('prod-a-2');
    expect(bytesOf(rotated)).toBe(newer);
  });

  it('finds a rotation’s older key by id for a registration, reading that version once, and refuses other ids', async () => {
    const { secrets, clock, keys } = setup();
    const old = secrets.add('akvsync-signing-prod-a', 'prod-a-1');
    secrets.add('akvsync-signing-prod-a', 'prod-a-2');
    expect((await keys.withId('prod-a', 'prod-a-2'))?.keyId).toBe('prod-a-2');
    expect(secrets.lists).toBe(0);
    expect(bytesOf(await keys.withId('prod-a', 'prod-a-1'))).toBe(old);
    expect(bytesOf(await keys.withId('prod-a', 'prod-a-1'))).toBe(old);
    expect([secrets.reads, secrets.lists]).toEqual([2, 1]);
    expect(await keys.withId('prod-a', 'forged-id')).toBeUndefined();
    expect(await keys.withId('prod-a', 'forged-again')).toBeUndefined();
    expect(secrets.lists).toBe(1); // a miss re-lists at most every 30 s
    clock.advance(30_000);
    expect(await keys.withId('prod-a', 'forged-id')).toBeUndefined();
    expect(secrets.lists).toBe(2);
    const versions = secrets.versions.get('akvsync-signing-prod-a') ?? [];
    versions[0]!.enabled = false;
    clock.advance(TTL);
    expect(await keys.withId('prod-a', 'prod-a-1')).toBeUndefined();
  });

  it('has no key for a cluster without a secret (remembered for the TTL) or whose name cannot name a secret', async () => {
    const { secrets, keys } = setup();
    expect(await keys.current('nobody')).toBeUndefined();
    expect(keys.current('nobody')).toBeUndefined();
    expect(secrets.reads).toBe(1);
    expect(await keys.current('has.dot')).toBeUndefined();
    expect(await keys.withId('nobody', 'x')).toBeUndefined();
    expect(secrets.reads).toBe(1);
  });

  it('turns Key Vault failures into clear, retried errors that are not cached and carry no key material', async () => {
    const { secrets, keys } = setup();
    const value = secrets.add('akvsync-signing-prod-a', 'prod-a-1');
    secrets.fail = { statusCode: 403, code: 'Forbidden' };
    await expect(keys.current('prod-a')).rejects.toMatchObject({
      kind: 'transient', code: 'SigningKeyVaultDenied', message: expect.stringContaining("grant the Function's identity get and list"),
    });
    secrets.fail = { statusCode: 503 };
    await expect(keys.current('prod-a')).rejects.toMatchObject({ kind: 'transient', code: 'SigningKeyUnavailable', message: expect.stringContaining('akvsync-signing-prod-a') });
    secrets.fail = {};
    await expect(keys.current('prod-a')).rejects.toMatchObject({ code: 'SigningKeyUnavailable', message: expect.stringContaining('no answer') });
    secrets.fail = undefined;
    expect(bytesOf(await keys.current('prod-a'))).toBe(value);
    expect(secrets.reads).toBe(4);
  });

  it('refuses a secret that is not a signing key (no key id tag, short or non-base64 value), naming the secret only', async () => {
    const { secrets, clock, keys } = setup();
    secrets.add('akvsync-signing-bad-tag', 'x');
    secrets.versions.get('akvsync-signing-bad-tag')![0]!.tags = {};
    await expect(keys.current('bad-tag')).rejects.toMatchObject({ code: 'SigningKeyInvalid', message: expect.stringContaining(`tag ${KEY_ID_TAG}`) });
    const short = randomBytes(16).toString('base64');
    secrets.add('akvsync-signing-short', 'short-1', short);
    const error = await Promise.resolve(keys.current('short')).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'SigningKeyInvalid', message: expect.stringContaining('akvsync-signing-short (version v1)') });
    expect((error as Error).message).not.toContain(short);
    clock.advance(1);
    secrets.add('akvsync-signing-text', 'text-1', 'not a key!');
    await expect(keys.current('text')).rejects.toMatchObject({ code: 'SigningKeyInvalid' });
  });
});
