/**
 * Queue transport of the notification intake (queue mode, docs/adr/0001-notification-protocol.md), a thin adapter
 * following NotificationIntake's contract: poll the cluster's Storage Queue (backoff up to maxPollIntervalMs while
 * it is empty), receive each message under the visibility timeout, decode ADR 0001's envelope and hand it to
 * `intake.receive(…, 'queue')`. The message is deleted only once the intake accepted it (the work is on the work
 * queue) or recognised it as a duplicate. A message the intake refuses for good (malformed, a bad signature) or that
 * is still not accepted after maxDequeueCount receptions (not ready, or signed with a key id the keyring lacks — a
 * rotation's new key not yet reloaded) is moved to `<queue>-poison` — copied there,
 * then deleted — with a Warning Event and `akvsync_queue_messages_poisoned_total{reason}`; so it blocks nothing.
 * This is our own dequeue count check, not the Functions host's (the agent is no Function). No message text is
 * ever logged.
 */
import type { QueueClient, DequeuedMessageItem } from '@azure/storage-queue';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { decodeQueueMessage } from '../../core/notification/queue-envelope.js';
import type { NotificationIntake } from './notification-intake.js';

export type PoisonReason = 'malformed' | 'unauthorized' | 'not-accepted';

export interface StorageQueueConsumerOptions {
  readonly queue: QueueClient;
  readonly poisonQueue: QueueClient;
  readonly intake: NotificationIntake;
  readonly visibilityTimeoutSeconds: number;
  readonly maxDequeueCount: number;
  readonly maxPollIntervalMs: number;
  readonly logger: Logger;
  /** The agent's metrics registry: the poison counter is registered on it. */
  readonly registry?: Registry;
  /** Records a Warning Event (on the agent's Pod); failures are logged, never thrown. */
  readonly warn: (reason: string, message: string) => Promise<void>;
}

const MIN_POLL_MS = 100;

export class StorageQueueConsumer {
  readonly #o: StorageQueueConsumerOptions;
  readonly #poisoned: Counter<'reason'>;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: StorageQueueConsumerOptions) {
    this.#o = options;
    this.#poisoned = new Counter({
      name: 'akvsync_queue_messages_poisoned_total',
      help: 'Queue messages moved to the poison queue, by reason',
      labelNames: ['reason'],
      registers: options.registry ? [options.registry] : [],
    });
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  /** One poll: receives up to 16 messages and settles each; resolves to how many there were. */
  async pollOnce(): Promise<number> {
    const { receivedMessageItems: messages } = await this.#o.queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: this.#o.visibilityTimeoutSeconds });
    for (const message of messages) await this.#settle(message);
    return messages.length;
  }

  async #run(): Promise<void> {
    let delay = MIN_POLL_MS;
    while (!this.#stopped) {
      let received = 0;
      try {
        received = await this.pollOnce();
      } catch (error) {
        const status = (error as { statusCode?: unknown }).statusCode;
        this.#o.logger.warn({ queue: this.#o.queue.name, status, code: (error as { code?: unknown }).code }, 'queue poll failed; retrying');
      }
      delay = received > 0 ? 0 : Math.min(this.#o.maxPollIntervalMs, Math.max(MIN_POLL_MS, delay * 2));
      if (delay > 0) await this.#sleep(delay);
    }
  }

  async #settle(message: DequeuedMessageItem): Promise<void> {
    let signed;
    try {
      signed = decodeQueueMessage(message.messageText);
    } catch (error) {
      this.#o.intake.refused({ outcome: 'malformed' });
      return this.#poison(message, 'malformed', error instanceof Error ? error.message : 'unreadable envelope');
    }
    const result = this.#o.intake.receive(signed, 'queue');
    switch (result.outcome) {
      case 'accepted':
      case 'duplicate':
        await this.#o.queue.deleteMessage(message.messageId, message.popReceipt);
        return;
      case 'malformed':
        return this.#poison(message, 'malformed', `invalid notification${result.field ? ` (field ${result.field})` : ''}`);
      case 'unauthorized':
        // A key id the keyring lacks may be a rotation's new key whose keyring update has not reached this agent yet
        // (ADR 0001 retries `unknown-key` for push too): left for the visibility timeout until maxDequeueCount.
        if (result.reason === 'unknown-key' && message.dequeueCount < this.#o.maxDequeueCount) return;
        return this.#poison(message, 'unauthorized', `signature refused: ${result.reason}`);
      case 'not-ready':
        if (message.dequeueCount >= this.#o.maxDequeueCount) return this.#poison(message, 'not-accepted', `not accepted after ${message.dequeueCount} receptions (agent not ready)`);
        return; // visible again after the visibility timeout
    }
  }

  async #poison(message: DequeuedMessageItem, reason: PoisonReason, detail: string): Promise<void> {
    const queue = this.#o.queue.name;
    await this.#o.poisonQueue.createIfNotExists();
    await this.#o.poisonQueue.sendMessage(message.messageText, { messageTimeToLive: -1 });
    await this.#o.queue.deleteMessage(message.messageId, message.popReceipt);
    this.#poisoned.inc({ reason });
    const text = `queue message ${message.messageId} of ${queue} moved to ${this.#o.poisonQueue.name}: ${detail}`;
    this.#o.logger.warn({ queue, messageId: message.messageId, reason, dequeueCount: message.dequeueCount }, 'queue message poisoned');
    await this.#o.warn('NotificationPoisoned', text).catch((error: unknown) =>
      this.#o.logger.warn({ code: (error as { code?: unknown }).code }, 'could not record the Warning Event'));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
