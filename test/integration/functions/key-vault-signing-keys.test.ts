/**
 * Registered clusters' signing keys read from the Key Vault emulator (HTTPS, challenge flow, real
 * `@azure/keyvault-secrets` and `@azure/identity`), written exactly as `npm run onboard` writes them: the current
 * version signs, a rotation is picked up after the cache time, a registration may still be signed with the older key,
 * and Key Vault failures (403 for the Function's identity, 503) are clear transient errors, never a missing key.
 */
import { randomBytes } from 'node:crypto';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { SigningKey } from '../../../core/notification/signature.js';
import { KeyVaultSigningKeys } from '../../../functions/adapters/key-vault-signing-keys.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { keyVaultSigningKeys } from '../../../scripts/onboard/key-vault-signing-keys.js';
import { ManualClock } from '../../unit/functions/support/manual-clock.js';
import { getTestStack } from '../support/stack-client.js';
import { KEYS_VAULT, signingKeysClient } from './signing-keys-vault.js';

const VAULT = KEYS_VAULT;
const TTL = 60_000;
let emulator: KeyVaultEmulator;
let client: SecretClient;
const clock = new ManualClock(Date.now());

const keyBase64 = (k: SigningKey | undefined): string => Buffer.from(k?.key ?? []).toString('base64');

beforeAll(async () => {
  emulator = await startKeyVaultEmulator({ ca: getTestStack().ca, vaults: [VAULT] });
  client = signingKeysClient(emulator, 0);
});
afterAll(() => emulator?.close());

describe('signing keys from Key Vault (emulator, real SDK)', () => {
  it('reads the key onboarding stored, once per cache time, and follows a rotation; the older key still verifies a registration', async () => {
    const onboard = keyVaultSigningKeys(client);
    const first = randomBytes(32).toString('base64');
    await onboard.store('akvsync-signing-edge-a', first, 'edge-a-1');
    const keys = new KeyVaultSigningKeys({ secrets: client, clock, ttlMs: TTL });
    emulator.resetCounters();
    const current = await keys.current('edge-a');
    expect(current?.keyId).toBe('edge-a-1');
    expect(keyBase64(current)).toBe(first);
    expect((keys.current('edge-a') as SigningKey).keyId).toBe('edge-a-1');
    expect(emulator.requestCount({ vault: VAULT })).toBe(1);

    const second = randomBytes(32).toString('base64');
    await onboard.store('akvsync-signing-edge-a', second, 'edge-a-2');
    expect((keys.current('edge-a') as SigningKey).keyId).toBe('edge-a-1');
    clock.advance(TTL);
    expect(keyBase64(await keys.current('edge-a'))).toBe(second);
    expect(keyBase64(await keys.withId('edge-a', 'edge-a-1'))).toBe(first);
    expect(await keys.withId('edge-a', 'edge-a-0')).toBeUndefined();
    expect(await keys.current('never-onboarded')).toBeUndefined();
  });

  it('answers a refused identity and an unavailable vault with clear transient errors, and reads again afterwards', async () => {
    const value = randomBytes(32).toString('base64');
    await keyVaultSigningKeys(client).store('akvsync-signing-edge-b', value, 'edge-b-1');
    const keys = new KeyVaultSigningKeys({ secrets: client, clock, ttlMs: TTL });
    emulator.restrictAccess(VAULT, ['someone-else']);
    await expect(keys.current('edge-b')).rejects.toMatchObject({ kind: 'transient', code: 'SigningKeyVaultDenied', message: expect.stringContaining('akvsync-signing-edge-b (403') });
    emulator.restrictAccess(VAULT, undefined);
    emulator.injectFault({ vault: VAULT, status: 503, times: 1 });
    const unavailable = await Promise.resolve(keys.current('edge-b')).catch((e: Error) => e);
    expect(unavailable).toMatchObject({ kind: 'transient', code: 'SigningKeyUnavailable' });
    expect((unavailable as Error).message).not.toContain(value);
    expect((await keys.current('edge-b'))?.keyId).toBe('edge-b-1');
  });
});
