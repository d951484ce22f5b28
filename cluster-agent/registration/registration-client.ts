/**
 * One registration (or heartbeat) request to the Function: the body (core/registry/registration.ts) signed with the
 * cluster's key, a fresh timestamp and a random nonce (core/registry/registration-signature.ts), POSTed with a
 * timeout. Which key signs: the one the Function last accepted, else the keyring's keys newest id first (onboarded key
 * ids end in their creation time). When the Function does not know a key id — rotation step 1 is done (the keyring has
 * the new key) and Key Vault's new version is not yet read — the next key is tried in the same call, so a rotation
 * never interrupts the heartbeat. Answers other than 200 throw core errors (registration-errors.ts).
 */
import { randomBytes } from 'node:crypto';
import { isAkvsyncError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { registrationHeaders, signRegistration } from '../../core/registry/registration-signature.js';
import type { Subscription } from '../../core/registry/registration.js';
import { parseRetryAfter } from '../error-policy.js';
import type { RegistrationConfig } from './registration-config.js';
import { KEY_UNKNOWN, registrationAnswerError, registrationUnreachable } from './registration-errors.js';

export interface RegistrationAnswer {
  readonly keyId: string;
  readonly written: number;
  readonly deleted: number;
  readonly subscriptions: number;
  /** The queue the Function delivers to (queue mode). */
  readonly queueName: string | undefined;
}

export interface RegistrationClientOptions {
  readonly config: RegistrationConfig;
  /** The agent's current keyring (it is reloaded when its file changes). */
  readonly keyring: () => ReadonlyMap<string, Uint8Array>;
  readonly clock: Clock;
}

export class RegistrationClient {
  readonly #o: RegistrationClientOptions;
  #accepted: string | undefined;

  constructor(options: RegistrationClientOptions) {
    this.#o = options;
  }

  async register(subscriptions: readonly Subscription[]): Promise<RegistrationAnswer> {
    const { config } = this.#o;
    const body = JSON.stringify({
      cluster: config.cluster, delivery: config.delivery,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}), ...(config.caPem ? { caPem: config.caPem } : {}),
      subscriptions,
    });
    let lastError: unknown;
    for (const [keyId, key] of this.#keysInOrder()) {
      try {
        const answer = await this.#post(body, keyId, key);
        this.#accepted = keyId;
        return answer;
      } catch (error) {
        if (!isAkvsyncError(error) || error.code !== KEY_UNKNOWN) throw error;
        lastError = error;
      }
    }
    throw lastError ?? registrationAnswerError(401, { error: 'unknown-key' }, undefined);
  }

  #keysInOrder(): [string, Uint8Array][] {
    const keys = [...this.#o.keyring()].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
    const accepted = keys.findIndex(([id]) => id === this.#accepted);
    if (accepted > 0) keys.unshift(...keys.splice(accepted, 1));
    return keys;
  }

  async #post(body: string, keyId: string, key: Uint8Array): Promise<RegistrationAnswer> {
    const signed = signRegistration({ keyId, key }, Math.floor(this.#o.clock.now() / 1000), randomBytes(18).toString('base64url'), body);
    let response: Response;
    try {
      response = await fetch(this.#o.config.url, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(this.#o.config.timeoutMs),
        headers: registrationHeaders(signed),
        body,
      });
    } catch (error) {
      throw registrationUnreachable(error);
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status !== 200) throw registrationAnswerError(response.status, answer, parseRetryAfter(response.headers.get('retry-after'), this.#o.clock.now()));
    const count = (field: string): number => (typeof answer[field] === 'number' ? answer[field] : 0);
    return { keyId, written: count('written'), deleted: count('deleted'), subscriptions: count('subscriptions'), queueName: typeof answer.queueName === 'string' ? answer.queueName : undefined };
  }
}
