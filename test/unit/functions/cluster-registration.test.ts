import { TransientError } from '../../../core/errors.js';
import { REGISTRATION_HEADERS, signRegistration } from '../../../core/registry/registration-signature.js';
import type { Registration } from '../../../core/registry/registration.js';
import { handleRegistration, type RegistrationDependencies } from '../../../functions/cluster-registration.js';
import { ClusterSigningKeys } from '../../../functions/cluster-signing-keys.js';
import { SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS } from './support/cluster-settings.js';
import { InMemoryLogger } from './support/in-memory-logger.js';
import { ManualClock } from './support/manual-clock.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const key = { keyId: 'prod-a-1', key: SIGNING_KEY_BYTES };
const NONCE = 'AAAAAAAAAAAAAAAAAAAAAA';
const body = JSON.stringify({ cluster: 'prod-a', delivery: 'queue', subscriptions: [{ vault: 'kv-prod', objectType: 'Secret', objectName: 'db' }] });

function setup(overrides: Partial<RegistrationDependencies> = {}) {
  const registered: Registration[] = [];
  const nonces: string[] = [];
  const queues: string[] = [];
  const log = new InMemoryLogger();
  const deps: RegistrationDependencies = {
    keys: new ClusterSigningKeys(new Map([['prod-a', key]]), undefined),
    registry: { register: async (r) => (registered.push(r), { written: 1, deleted: 0, subscriptions: r.subscriptions.length }) },
    nonces: { remember: async (_c, n) => (nonces.includes(n) ? false : (nonces.push(n), true)) },
    clock: new ManualClock(NOW),
    createQueue: async (name) => void queues.push(name),
    log,
    ...overrides,
  };
  return { deps, registered, nonces, queues, log };
}

function request(text = body, signedWith = key, nonce = NONCE) {
  const s = signRegistration(signedWith, Math.floor(NOW / 1000), nonce, text);
  const headers: Record<string, string> = {
    [REGISTRATION_HEADERS.keyId]: s.keyId, [REGISTRATION_HEADERS.timestamp]: String(s.timestamp), [REGISTRATION_HEADERS.nonce]: s.nonce, [REGISTRATION_HEADERS.signature]: s.signature,
  };
  return { cluster: 'prod-a', header: (name: string) => headers[name], body: text };
}

describe('handleRegistration', () => {
  it('registers a queue-mode cluster, creating its queue first', async () => {
    const { deps, registered, queues } = setup();
    const answer = await handleRegistration(request(), deps);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ cluster: 'prod-a', delivery: 'queue', written: 1, subscriptions: 1, queueName: queues[0] });
    expect(registered).toHaveLength(1);
  });

  it('does not remember the nonce of a request whose signature fails, so a forger cannot use up nonces', async () => {
    const { deps, nonces, registered } = setup();
    const forged = await handleRegistration(request(body, { keyId: key.keyId, key: Buffer.alloc(32, 9) }), deps);
    expect(forged).toEqual({ status: 401, body: { error: 'bad-signature' } });
    expect(nonces).toEqual([]);
    expect((await handleRegistration(request(), deps)).status).toBe(200);
    expect(registered).toHaveLength(1);
  });

  it('answers 413 for a body over the limit, without verifying or storing anything', async () => {
    const { deps, nonces } = setup();
    expect((await handleRegistration(request('x'.repeat(512 * 1024 + 1)), deps)).status).toBe(413);
    expect(nonces).toEqual([]);
  });

  it('answers 503 when storage is down, and logs no key material', async () => {
    const { deps, log } = setup({ registry: { register: () => Promise.reject(new TransientError('StorageUnavailable', 'Table Storage: down')) } });
    expect(await handleRegistration(request(), deps)).toEqual({ status: 503, body: { error: 'storage-unavailable' } });
    for (const leak of SIGNING_KEY_RENDERINGS) expect(log.text).not.toContain(leak);
    expect(log.lines.map((l) => l.level)).toEqual(['error']);
  });

  it('answers 503 when the signing key cannot be read (Key Vault down), and stores nothing', async () => {
    const keys = { withId: () => Promise.reject(new TransientError('SigningKeyUnavailable', 'could not read akvsync-signing-prod-a in Key Vault (503)')) };
    const { deps, nonces, registered, log } = setup({ keys });
    expect(await handleRegistration(request(), deps)).toEqual({ status: 503, body: { error: 'key-unavailable' } });
    expect(nonces).toEqual([]);
    expect(registered).toEqual([]);
    expect(log.lines.some((l) => l.message.includes('signing key unavailable'))).toBe(true);
  });

  it('verifies with the key the request names: a rotation’s older key is still accepted, an unknown key id is refused', async () => {
    const older = { keyId: 'prod-a-0', key: Buffer.alloc(32, 7) };
    const keys = { withId: async (_cluster: string, keyId: string) => [key, older].find((k) => k.keyId === keyId) };
    const { deps } = setup({ keys });
    expect((await handleRegistration(request(body, older), deps)).status).toBe(200);
    expect(await handleRegistration(request(body, { keyId: 'prod-a-9', key: key.key }, 'BBBBBBBBBBBBBBBBBBBBBB'), deps)).toEqual({ status: 401, body: { error: 'unknown-key' } });
  });
});
