/**
 * Routing cost does not grow with the fleet (issue 8 item 8, the small-N side of bench/fleet-routing.ts), on
 * Azurite with every storage request counted by a proxy: one event subscribed by the same 20 clusters costs exactly
 * the same storage operations, label by label, with 100 and with 1,000 clusters registered — two registry partition
 * reads, then per delivery a fixed set of point reads, one send and one dedupe mark, and no queue creation (the
 * queues exist since registration). Each event is handled by a fresh runtime (empty caches). Also: the rows the
 * bulk seeder writes for the benchmark are exactly the rows `register` writes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { REGISTRY_TABLE } from '../../../core/registry/registry-rows.js';
import { invocationLogger } from '../../../functions/adapters/invocation-logger.js';
import { TableClusterRegistry } from '../../../functions/adapters/table-cluster-registry.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { routeKeyVaultEvents } from '../../../functions/route-key-vault-events.js';
import { createFunctionRuntime } from '../../../functions/runtime.js';
import { storageClients } from '../../../functions/storage-clients.js';
import { fleetClusterName, fleetRegistration, fleetTargetEvent } from '../../../scripts/fleet/fleet-shape.js';
import { seedRegistry } from '../../../scripts/fleet/seed-registry.js';
import { queueOperationLabel, tableOperationLabel } from '../../../scripts/fleet/storage-operation-label.js';
import { operationsAndRetries, startStorageRequestCounter, type StorageRequestCounter } from '../../../scripts/fleet/storage-request-counter.js';
import { getTestStack } from '../support/stack-client.js';

const SUBSCRIBERS = 20;
const NOW = Date.now();
const keyIdOf = (cluster: string): string => `${cluster}-k1`;
const keys: { name: string; keyId: string; signingKey: string }[] = [];
let tableCounter: StorageRequestCounter;
let queueCounter: StorageRequestCounter;
let counted: string;

const azurite = () => getTestStack().azurite;

/** Registers clusters [from, to) with the bulk seeder, as the benchmark does. */
async function seed(from: number, to: number): Promise<void> {
  const registrations = Array.from({ length: to - from }, (_, k) => fleetRegistration(from + k, SUBSCRIBERS));
  for (const r of registrations) keys.push({ name: r.cluster, keyId: keyIdOf(r.cluster), signingKey: randomBytes(32).toString('base64') });
  const storage = storageClients(azurite().connectionString);
  await seedRegistry(storage, storage.table(REGISTRY_TABLE), registrations, { keyIdOf, nowMs: NOW });
}

/** One event on a fresh runtime (a cold instance: nothing cached), counting only the event's storage requests. */
async function routeOnColdInstance(): Promise<{ delivered: string[]; operations: Record<string, number> }> {
  const runtime = await createFunctionRuntime(parseFunctionsConfig({
    AKVSYNC_STORAGE: counted,
    AKVSYNC_REGISTRY_KEYS: JSON.stringify(keys),
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
  }));
  try {
    tableCounter.reset();
    queueCounter.reset();
    const report = await routeKeyVaultEvents(fleetTargetEvent(), { ...runtime.routing, log: invocationLogger(new InvocationContext({ logHandler: () => undefined })) });
    // SDK retries of a timed-out request (a loaded machine) are counted apart: the operations are what is compared.
    return { delivered: report.delivered.map((d) => d.cluster).sort(), operations: operationsAndRetries({ ...tableCounter.counts(), ...queueCounter.counts() }).operations };
  } finally {
    await runtime.close();
  }
}

beforeAll(async () => {
  tableCounter = await startStorageRequestCounter(azurite().tableUrl, tableOperationLabel);
  queueCounter = await startStorageRequestCounter(azurite().queueUrl, queueOperationLabel);
  counted = azurite().connectionString.replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=${queueCounter.url}`).replace(/TableEndpoint=[^;]+/, `TableEndpoint=${tableCounter.url}`);
});
afterAll(async () => {
  await tableCounter?.close();
  await queueCounter?.close();
});

describe('fleet routing on the Table registry (Azurite, counted storage requests)', () => {
  it('writes with the bulk seeder exactly the rows register writes', async () => {
    const storage = storageClients(azurite().connectionString);
    const check = TableClient.fromConnectionString(azurite().connectionString, `fleetcheck${randomUUID().slice(0, 8)}`, { allowInsecureConnection: true });
    const registry = new TableClusterRegistry(check, 10 * 60_000);
    await registry.ensureTable();
    const sampled = [0, SUBSCRIBERS - 1, 55]; // exact subscriber with a glob elsewhere, glob subscriber, neighbour in the target vault
    const registrations = sampled.map((i) => fleetRegistration(i, SUBSCRIBERS));
    for (const r of registrations) await registry.register(r, keyIdOf(r.cluster), NOW);
    const seeded = TableClient.fromConnectionString(azurite().connectionString, `fleetseed${randomUUID().slice(0, 8)}`, { allowInsecureConnection: true });
    await seedRegistry(storage, seeded, registrations, { keyIdOf, nowMs: NOW });

    const rowsOf = async (table: TableClient) => {
      const rows: string[] = [];
      for await (const e of table.listEntities()) {
        const { etag: _etag, timestamp: _timestamp, ...fields } = e as Record<string, unknown>;
        rows.push(JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))));
      }
      return rows.sort();
    };
    const written = await rowsOf(check);
    expect(written.length).toBeGreaterThan(registrations.length * 3);
    expect(await rowsOf(seeded)).toEqual(written);
  });

  it('one event subscribed by 20 clusters costs the same storage operations with 100 and with 1,000 clusters registered', async () => {
    await seed(0, 100);
    const small = await routeOnColdInstance();
    await seed(100, 1000);
    const large = await routeOnColdInstance();

    const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => fleetClusterName(i));
    expect(small.delivered).toEqual(subscribers);
    expect(large.delivered).toEqual(subscribers);
    expect(large.operations).toEqual(small.operations);
    // What the cost is made of: the event's object partition and its vault's glob partition, never the fleet's rows …
    expect(small.operations['registry partition query']).toBe(2);
    // … and per delivery one enqueue on the queue registration created, with no create on a cold instance.
    expect(small.operations['queue send']).toBe(SUBSCRIBERS);
    expect(small.operations['queue create']).toBeUndefined();
    expect(small.operations['dedupe insert']).toBe(SUBSCRIBERS);
  });
});
