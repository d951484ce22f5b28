/**
 * Storage Queue triggers of the local host, against Azurite (or any account a connection string names), as the
 * Storage extension runs them: poll with randomised exponential backoff (100 ms up to `maxPollingInterval`) while
 * the queue is empty or missing, fetch up to `batchSize` messages under a 10-minute lease, invoke the function once
 * per message (decoded as `messageEncoding` says; JSON text arrives parsed), delete it on success, and on failure
 * either make it visible again after `visibilityTimeout` or — once its dequeue count reached `maxDequeueCount` —
 * move it to `<queue>-poison`. The connection is the app setting the binding names (default `AzureWebJobsStorage`).
 */
import type { QueueClient} from '@azure/storage-queue';
import { QueueServiceClient, type DequeuedMessageItem } from '@azure/storage-queue';
import type { TypedData } from './core-types.js';
import { resolveAppSettingExpressions } from './binding-expressions.js';
import type { QueueSettings } from './host-settings.js';
import { triggerOf, type FunctionDescriptor } from './worker-protocol.js';

export type InvokeQueueFunction = (message: TypedData, metadata: Readonly<Record<string, TypedData>>) => Promise<boolean>;

const LEASE_SECONDS = 600;
const MIN_POLL_MS = 100;

export class QueueTriggerListener {
  readonly queueName: string;
  readonly #queue: QueueClient;
  readonly #poison: QueueClient;
  readonly #settings: QueueSettings;
  readonly #invoke: InvokeQueueFunction;
  readonly #onError: (message: string) => void;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(fn: FunctionDescriptor, env: Readonly<Record<string, string | undefined>>, settings: QueueSettings, invoke: InvokeQueueFunction, onError: (message: string) => void) {
    const { binding } = triggerOf(fn);
    const setting = typeof binding.connection === 'string' && binding.connection !== '' ? binding.connection : 'AzureWebJobsStorage';
    const connectionString = env[setting];
    if (!connectionString) throw new Error(`queue trigger ${fn.name}: app setting "${setting}" (its connection) is not set`);
    if (typeof binding.queueName !== 'string') throw new Error(`queue trigger ${fn.name}: no queueName`);
    this.queueName = resolveAppSettingExpressions(binding.queueName, env, `queue trigger ${fn.name}`).toLowerCase();
    const service = QueueServiceClient.fromConnectionString(connectionString);
    this.#queue = service.getQueueClient(this.queueName);
    this.#poison = service.getQueueClient(`${this.queueName}-poison`);
    this.#settings = settings;
    this.#invoke = invoke;
    this.#onError = onError;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let delay = MIN_POLL_MS;
    while (!this.#stopped) {
      let handled = 0;
      try {
        handled = await this.#pollOnce();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) this.#onError(`polling queue "${this.queueName}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      delay = handled > 0 ? 0 : Math.min(this.#settings.maxPollingIntervalMs, Math.max(MIN_POLL_MS, delay * 2) * (0.8 + Math.random() * 0.4));
      if (delay > 0) await this.#sleep(delay);
    }
  }

  async #pollOnce(): Promise<number> {
    const { receivedMessageItems: messages } = await this.#queue.receiveMessages({ numberOfMessages: this.#settings.batchSize, visibilityTimeout: LEASE_SECONDS });
    await Promise.all(messages.map((m) => this.#process(m)));
    return messages.length;
  }

  async #process(message: DequeuedMessageItem): Promise<void> {
    const text = this.#settings.messageEncoding === 'base64' ? Buffer.from(message.messageText, 'base64').toString('utf8') : message.messageText;
    const ok = await this.#invoke(typedData(text), {
      Id: { string: message.messageId },
      DequeueCount: { json: String(message.dequeueCount) },
      InsertionTime: { string: message.insertedOn.toISOString() },
      ExpirationTime: { string: message.expiresOn.toISOString() },
      NextVisibleTime: { string: message.nextVisibleOn.toISOString() },
      PopReceipt: { string: message.popReceipt },
    });
    if (ok) {
      await this.#queue.deleteMessage(message.messageId, message.popReceipt);
    } else if (message.dequeueCount >= this.#settings.maxDequeueCount) {
      await this.#poison.createIfNotExists();
      await this.#poison.sendMessage(message.messageText);
      await this.#queue.deleteMessage(message.messageId, message.popReceipt);
      this.#onError(`message ${message.messageId} of queue "${this.queueName}" failed ${message.dequeueCount} times: moved to "${this.queueName}-poison"`);
    } else {
      await this.#queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.round(this.#settings.visibilityTimeoutMs / 1000));
    }
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

/** JSON object or array text arrives as json typed data (the handler gets it parsed), anything else as a string. */
function typedData(text: string): TypedData {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(trimmed);
      return { json: trimmed };
    } catch {
      // not JSON after all: a string
    }
  }
  return { string: text };
}
