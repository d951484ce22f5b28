/**
 * Issues a polling model's reads for real: each scheduled read is a SecretClient.getSecret (latest version)
 * against the Key Vault emulator, in schedule order, with the model's worker count. Model time is compressed
 * (reads are issued as fast as the emulator answers), which changes no count.
 */
import type { SecretClient } from '@azure/keyvault-secrets';
import type { PollingModel } from './polling-model.js';

export interface ModelWindowRun {
  readonly model: string;
  readonly windowModelSeconds: number;
  readonly readsIssued: number;
  readonly readErrors: number;
  readonly wallMs: number;
}

export async function runPollingModel(
  model: PollingModel,
  client: SecretClient,
  objectNames: readonly string[],
  windowModelSeconds: number,
): Promise<ModelWindowRun> {
  const reads = model.reads(objectNames, windowModelSeconds);
  const started = performance.now();
  let next = 0;
  let readErrors = 0;
  const worker = async (): Promise<void> => {
    while (next < reads.length) {
      const read = reads[next++];
      if (read === undefined) break;
      try {
        await client.getSecret(read.objectName);
      } catch {
        readErrors++;
      }
    }
  };
  await Promise.all(Array.from({ length: model.concurrency }, worker));
  return {
    model: model.name,
    windowModelSeconds,
    readsIssued: reads.length,
    readErrors,
    wallMs: Math.round(performance.now() - started),
  };
}
