/**
 * File mode's refresh signal against the real apiserver: a waiter is answered "changed" when the status of a named
 * AzureKeyVaultSecret shows another synced version (a status write, as the leader makes it), "unchanged" at its
 * timeout or when its caller goes away; a change already there when the wait starts answers at once; one watch per
 * namespace serves every waiter there.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import { AkvsVersionWatch } from '../../../cluster-agent/webhook/akvs-version-watch.js';
import { applyCrd } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const custom = stack.kubeConfig.makeApiClient(CustomObjectsApi);
const AKVS = { group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets' } as const;

describe('AkvsVersionWatch on the real apiserver', () => {
  let ns: string;
  let watch: AkvsVersionWatch;
  const setVersion = (name: string, syncedVersion: string): Promise<unknown> => custom.patchNamespacedCustomObjectStatus(
    { ...AKVS, namespace: ns, name, body: { status: { syncedVersion } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

  beforeAll(async () => {
    await applyCrd();
    ns = await stack.createNamespace('version-watch');
    for (const name of ['a', 'b']) {
      await custom.createNamespacedCustomObject({ ...AKVS, namespace: ns, body: {
        apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', metadata: { name }, spec: { vault: { name: 'kv1', object: { name, type: 'secret' } } },
      } });
      await setVersion(name, 'v1');
    }
    watch = new AkvsVersionWatch({ kubeConfig: stack.kubeConfig, scheduler: systemScheduler, logger: pino({ level: 'silent' }), idleStopMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await watch?.stop();
  });

  it('answers changed when a named status moves on, and every waiter of the namespace hears it', async () => {
    const never = new AbortController();
    const first = watch.waitForChange(ns, { a: 'v1' }, 20_000, never.signal);
    const second = watch.waitForChange(ns, { a: 'v1', b: 'v1' }, 20_000, never.signal);
    const other = watch.waitForChange(ns, { b: 'v1' }, 1_500, never.signal);
    await new Promise((r) => setTimeout(r, 300));
    await setVersion('a', 'v2');
    await expect(Promise.all([first, second, other])).resolves.toEqual([true, true, false]);
  }, 30_000);

  it('answers at once when the status differs already, unchanged at the timeout, and unchanged when the caller leaves', async () => {
    const never = new AbortController();
    await expect(watch.waitForChange(ns, { a: 'v1' }, 20_000, never.signal)).resolves.toBe(true);
    await expect(watch.waitForChange(ns, { a: 'v2' }, 300, never.signal)).resolves.toBe(false);
    const leaving = new AbortController();
    const waiting = watch.waitForChange(ns, { a: 'v2' }, 20_000, leaving.signal);
    setTimeout(() => leaving.abort(), 200);
    await expect(waiting).resolves.toBe(false);
  }, 30_000);

  it('a deleted AzureKeyVaultSecret counts as a change (the sidecar fetches and is told why)', async () => {
    const never = new AbortController();
    const waiting = watch.waitForChange(ns, { b: 'v1' }, 20_000, never.signal);
    await new Promise((r) => setTimeout(r, 300));
    await custom.deleteNamespacedCustomObject({ ...AKVS, namespace: ns, name: 'b' });
    await expect(waiting).resolves.toBe(true);
  }, 30_000);
});
