import { NotificationSigner } from '../../../../core/notification/notification-signer.js';
import { notificationBody } from '../../../../core/notification/notification-body.js';
import { toNotification } from '../../../../core/notification/notification-from-event.js';
import { PUSH_TIMESTAMP_WINDOW_SECONDS, type SignedNotification } from '../../../../core/notification/notification.js';
import { verifySignature, type SigningKey } from '../../../../core/notification/signature.js';
import { keyVaultEvent } from '../../../support/key-vault-events.js';
import { thrownTerminal } from './thrown.js';

const KEY: SigningKey = { keyId: 'alpha-1', key: new Uint8Array(32).fill(9) };
const NOTIFICATION = toNotification(keyVaultEvent());

function signerAt(startMs: number) {
  let now = startMs;
  // A synchronous lookup: sign() answers synchronously (the casts below are safe).
  const signer = new NotificationSigner((cluster) => (cluster === 'alpha' ? KEY : undefined), { now: () => now });
  return { signer, advance: (ms: number) => void (now += ms) };
}

describe('NotificationSigner', () => {
  it('signs the canonical body with the cluster key at the clock’s current second', () => {
    const { signer } = signerAt(1_741_684_600_999);
    const signed = signer.sign('alpha', NOTIFICATION) as SignedNotification;
    expect(signed).toMatchObject({ keyId: 'alpha-1', timestamp: 1_741_684_600, body: notificationBody(NOTIFICATION) });
    expect(verifySignature(new Map([[KEY.keyId, KEY.key]]), signed, 1_741_684_600, PUSH_TIMESTAMP_WINDOW_SECONDS)).toEqual({ ok: true, keyId: 'alpha-1' });
  });

  it('takes a fresh timestamp on every call, so a retry ten minutes later is not stale', () => {
    const { signer, advance } = signerAt(1_741_684_600_000);
    const first = signer.sign('alpha', NOTIFICATION) as SignedNotification;
    advance(600_000);
    const retry = signer.sign('alpha', NOTIFICATION) as SignedNotification;
    expect(retry.timestamp - first.timestamp).toBe(600);
    expect(retry.signature).not.toBe(first.signature);
    const keyring = new Map([[KEY.keyId, KEY.key]]);
    expect(verifySignature(keyring, first, retry.timestamp, PUSH_TIMESTAMP_WINDOW_SECONDS)).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifySignature(keyring, retry, retry.timestamp, PUSH_TIMESTAMP_WINDOW_SECONDS)).toMatchObject({ ok: true });
  });

  it('refuses a cluster that has no key, naming it', () => {
    const { signer } = signerAt(0);
    expect(thrownTerminal(() => signer.sign('beta', NOTIFICATION), 'UnknownCluster').message).toContain('"beta"');
  });

  it('signs a raw body byte for byte', () => {
    const { signer } = signerAt(5_000);
    expect((signer.signBody('alpha', '{"vault":"ünïcode"}') as SignedNotification).body).toBe('{"vault":"ünïcode"}');
  });

  it('signs synchronously when the lookup answers at once, and after the key arrived (fresh timestamp) when it fetches it', async () => {
    let now = 1_000_000;
    let resolveKey: (k: SigningKey | undefined) => void = () => undefined;
    const fetching = new NotificationSigner((cluster) => (cluster === 'alpha' ? new Promise<SigningKey | undefined>((r) => (resolveKey = r)) : Promise.resolve(undefined)), { now: () => now });
    const pending = fetching.sign('alpha', NOTIFICATION);
    expect(pending).toBeInstanceOf(Promise);
    now += 7_000;
    resolveKey(KEY);
    const signed = await pending;
    expect(signed.timestamp).toBe(1_007);
    expect(verifySignature(new Map([[KEY.keyId, KEY.key]]), signed, 1_007, PUSH_TIMESTAMP_WINDOW_SECONDS)).toMatchObject({ ok: true });
    await expect(fetching.sign('beta', NOTIFICATION)).rejects.toMatchObject({ code: 'UnknownCluster' });
    expect(signerAt(0).signer.sign('alpha', NOTIFICATION)).not.toBeInstanceOf(Promise);
  });
});
