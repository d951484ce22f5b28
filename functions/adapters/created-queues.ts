/**
 * Queue clients whose queue has been created (createIfNotExists once per queue name and instance); a failed create
 * is forgotten, so the next send tries again. Shared by the queue-mode sink and the retry/poison queues.
 */
import type { QueueClient } from '@azure/storage-queue';
import { MemoByKey } from '../../core/concurrency/memo-by-key.js';
import type { StorageClients } from '../storage-clients.js';

export class CreatedQueues {
  readonly #storage: StorageClients;
  readonly #created = new MemoByKey<QueueClient>();

  constructor(storage: StorageClients) {
    this.#storage = storage;
  }

  get(name: string): Promise<QueueClient> {
    return this.#created.get(name, async () => {
      const client = this.#storage.queue(name);
      await client.createIfNotExists();
      return client;
    });
  }
}
