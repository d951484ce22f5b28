import { PUSH_TIMESTAMP_WINDOW_SECONDS } from '../../core/notification/notification.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import { verifySignature } from '../../core/notification/signature.js';
import type { SignatureCheck } from '../../core/notification/signature.js';

/**
 * The agent's verifier: HMAC over the raw body under any key of the keyring; push deliveries must also be within
 * ±300 s of the agent's clock, queued ones are authenticated by the queue itself (no window).
 */
export function verifyReceivedNotification(
  keyring: ReadonlyMap<string, Uint8Array>,
  signed: SignedNotification,
  nowSeconds: number,
  mode: 'push' | 'queue',
): SignatureCheck {
  return verifySignature(keyring, signed, nowSeconds, mode === 'push' ? PUSH_TIMESTAMP_WINDOW_SECONDS : undefined);
}
