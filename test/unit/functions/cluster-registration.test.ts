import { TransientError } from '../../../core/errors.js';
import { REGISTRATION_HEADERS, signRegistration } from '../../../core/registry/registration-signature.js';
import type { Registration } from '../../../core/registry/registration.js';
import { handleRegistration, type RegistrationDependencies } from '../../../functions/cluster-registration.js';
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
    keys: new Map([['prod-a', key]]),
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
});
