/**
 * The Table Storage dedupe store on Azurite: marks shared by Function instances, written only after a delivery
 * succeeded, conditional (two instances on one event push at most twice, never zero times), and expired by day
 * partition with the cleanup the dedupeCleanup timer runs.
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { TableDedupeStore } from '../../../functions/adapters/table-dedupe-store.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { dedupeCleanupHandler } from '../../../functions/dedupe-cleanup.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../../functions/runtime.js';
import { invocationLogger } from '../../../functions/adapters/invocation-logger.js';
import { routeKeyVaultEvents } from '../../../functions/route-key-vault-events.js';
import { storageClients } from '../../../functions/storage-clients.js';
import { eventGridItem } from '../../support/key-vault-events.js';
import { appSettings, clusterEntry } from '../../unit/functions/support/cluster-settings.js';
import { startHttpsReceiver, type HttpsReceiver } from '../../unit/functions/support/https-receiver.js';
import { ManualClock } from '../../unit/functions/support/manual-clock.js';
import { getTestStack } from '../support/stack-client.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
let receiver: HttpsReceiver;
const runtimes: FunctionRuntime[] = [];
const quiet = new InvocationContext({ logHandler: () => undefined });

async function functionInstance(clock = new ManualClock(NOW)): Promise<FunctionRuntime> {
  const settings = appSettings([clusterEntry({ name: 'alpha', pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: ['*'] })], {
    AKVSYNC_STORAGE: getTestStack().azurite.connectionString,
  });
  const runtime = await createFunctionRuntime(parseFunctionsConfig(settings), { clock });
  runtimes.push(runtime);
  return runtime;
}

const route = (runtime: FunctionRuntime, event: unknown) => routeKeyVaultEvents(event, { ...runtime.routing, log: invocationLogger(quiet) });
const uniqueEvent = () => {
  const version = randomUUID().replaceAll('-', '');
  return eventGridItem({ envelope: { id: `evt-${version}` }, data: { Id: `https://kv-akvsync-prod.vault.azure.net/secrets/db-password/${version}`, Version: version } });
};
const pushesOf = (event: { id?: unknown }) => receiver.requests.filter((r) => r.body.includes(String(event.id))).length;

beforeAll(async () => {
  receiver = await startHttpsReceiver();
});
afterEach(async () => {
  receiver.respond = () => ({ status: 202 });
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(() => receiver.close());

describe('Table Storage dedupe store (Azurite)', () => {
  it('is used when AKVSYNC_STORAGE is set, and a second instance skips what the first delivered', async () => {
    const [one, two] = [await functionInstance(), await functionInstance()];
    expect(one.tableDedupe).toBeInstanceOf(TableDedupeStore);
    const event = uniqueEvent();
    await route(one, event);
    const again = await route(two, event);
    expect(again.duplicates).toBe(1);
    expect(pushesOf(event)).toBe(1);
  });

  it('two instances handling the same event at once push it at most twice and never zero times', async () => {
    const instances = [await functionInstance(), await functionInstance()];
    for (let round = 0; round < 5; round++) {
      const event = uniqueEvent();
      await Promise.all(instances.map((r) => route(r, event)));
      expect(pushesOf(event)).toBeGreaterThanOrEqual(1);
      expect(pushesOf(event)).toBeLessThanOrEqual(2);
      const later = await route(instances[0]!, event);
      expect(later.duplicates).toBe(1);
    }
  });

  it('writes no mark for a failed push, so a redelivery pushes it again', async () => {
    const runtime = await functionInstance();
    const event = uniqueEvent();
    receiver.respond = () => ({ status: 503 });
    expect((await route(runtime, event)).retryQueued).toHaveLength(1);
    receiver.respond = () => ({ status: 202 });
    const retried = await route(runtime, event);
    expect(retried.delivered).toHaveLength(1);
    expect(pushesOf(event)).toBe(2);
  });

  it('forgets marks older than the TTL and deletes their day partitions in cleanup, keeping recent ones', async () => {
    const clock = new ManualClock(NOW);
    const table = storageClients(getTestStack().azurite.connectionString).table(`dedupe${randomUUID().slice(0, 8)}`);
    const store = new TableDedupeStore({ table, clock });
    await store.ensureTable();
    await Promise.all(Array.from({ length: 105 }, (_, i) => store.mark(`old-${i}`)));
    clock.advance(23 * 3600 * 1000);
    expect(await store.has('old-1')).toBe(true);
    clock.advance(2 * 3600 * 1000);
    expect(await store.has('old-1')).toBe(false);
    await store.mark('recent');
    clock.advance(24 * 3600 * 1000);
    expect(await store.deleteExpired()).toBe(105);
    expect(await store.has('recent')).toBe(true);
    expect(await store.deleteExpired()).toBe(0);
  });

  it('runs the cleanup from the dedupeCleanup timer handler', async () => {
    const runtime = await functionInstance(new ManualClock(NOW + 3 * 24 * 3600 * 1000));
    const logs: string[] = [];
    const context = new InvocationContext({ logHandler: (_level, ...args) => logs.push(args.join(' ')) });
    await dedupeCleanupHandler(() => Promise.resolve(runtime))({}, context);
    expect(logs.join('\n')).toMatch(/dedupe cleanup deleted \d+ expired marks/);
  });
});
