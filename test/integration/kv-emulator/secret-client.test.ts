/**
 * The real @azure/keyvault-secrets SecretClient with a real ClientSecretCredential against the emulator over HTTPS:
 * challenge authentication, versions, paging, attribute updates, disabled and missing secrets, soft delete.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

let t: TrustedEmulator;
beforeAll(async () => {
  t = await startTrustedEmulator({ vaults: ['alpha', 'beta', 'paged'] });
});
afterAll(async () => {
  await t.emulator.close();
});
beforeEach(() => t.emulator.resetCounters());

async function restErrorOf(promise: Promise<unknown>): Promise<RestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RestError)) throw new Error(`expected a RestError, got ${String(error)}`);
  return error;
}

describe('SecretClient with ClientSecretCredential', () => {
  it('follows the challenge, sets a secret and reads the latest version and a version by id', async () => {
    const client = t.secretClient('alpha');
    const first = await client.setSecret('db-password', 'first-value', { contentType: 'text/plain', tags: { team: 'a' } });
    const second = await client.setSecret('db-password', 'second-value');

    expect(first.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(second.properties.version).not.toBe(first.properties.version);
    expect(first.properties.vaultUrl).toBe(t.emulator.vaultUrl('alpha'));
    const latest = await client.getSecret('db-password');
    expect(latest.value).toBe('second-value');
    expect(latest.properties.version).toBe(second.properties.version);
    const old = await client.getSecret('db-password', { version: first.properties.version });
    expect(old.value).toBe('first-value');
    expect(old.properties.contentType).toBe('text/plain');
    expect(old.properties.tags).toEqual({ team: 'a' });
    expect(old.properties.enabled).toBe(true);
    expect(old.properties.createdOn).toBeInstanceOf(Date);
    expect(old.properties.recoveryLevel).toBe('Recoverable+Purgeable');
    // one 401 challenge (not counted by requestCount), then only authenticated calls
    expect(t.emulator.counters()['alpha setSecret 401']).toBe(1);
    expect(t.emulator.requestCount({ vault: 'alpha', operation: 'setSecret' })).toBe(2);
    expect(t.emulator.requestCount({ vault: 'alpha', operation: 'getSecret' })).toBe(2);
    expect(t.emulator.requestCount({ operation: 'token' })).toBe(1);
  });

  it('keeps each vault separate, each on its own listener', async () => {
    await t.secretClient('alpha').setSecret('shared-name', 'in-alpha');
    await t.secretClient('beta').setSecret('shared-name', 'in-beta');
    expect(t.emulator.vaultUrl('alpha')).not.toBe(t.emulator.vaultUrl('beta'));
    expect((await t.secretClient('beta').getSecret('shared-name')).value).toBe('in-beta');
    expect(t.emulator.requestCount({ vault: 'beta' })).toBe(2);
  });

  it('lists more than 25 versions through nextLink paging', async () => {
    const client = t.secretClient('alpha');
    const versions: string[] = [];
    for (let i = 0; i < 30; i += 1) versions.push((await client.setSecret('rotating', `v${i}`)).properties.version ?? '');
    t.emulator.resetCounters();

    const listed: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions('rotating')) listed.push(p.version ?? '');

    expect(listed).toEqual(versions);
    expect(t.emulator.requestCount({ vault: 'alpha', operation: 'listVersions' })).toBe(2);
  });

  it('lists secret properties 25 per page by default and honours maxresults', async () => {
    const client = t.secretClient('paged');
    for (let i = 0; i < 30; i += 1) await client.setSecret(`app-${String(29 - i).padStart(2, '0')}`, 'x');
    const pageSizes: number[] = [];
    const names: string[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage()) {
      pageSizes.push(page.length);
      names.push(...page.map((p) => p.name));
    }
    expect(pageSizes).toEqual([25, 5]);
    expect(names).toEqual(Array.from({ length: 30 }, (_, i) => `app-${String(i).padStart(2, '0')}`));
    expect(t.emulator.requestCount({ vault: 'paged', operation: 'listSecrets' })).toBe(2);

    const small: number[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 10 })) small.push(page.length);
    expect(small).toEqual([10, 10, 10]);
  });

  it('refuses maxresults above 25 with BadParameter', async () => {
    const response = await t.vaultFetch('alpha', '/secrets?api-version=7.6&maxresults=26');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'BadParameter' } });
  });

  it('answers a disabled secret with 403 SecretDisabled and keeps listing it', async () => {
    const client = t.secretClient('alpha');
    const { properties } = await client.setSecret('to-disable', 'disabled-value');
    const updated = await client.updateSecretProperties('to-disable', properties.version ?? '', { enabled: false, contentType: 'text/x' });
    expect(updated.enabled).toBe(false);

    const error = await restErrorOf(client.getSecret('to-disable'));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('Forbidden');
    expect(error.message).toBe('Operation get is not allowed on a disabled secret.');
    expect(JSON.stringify(error.details)).toContain('SecretDisabled');
    expect(JSON.stringify(error)).not.toContain('disabled-value');

    const listed: { name: string; enabled?: boolean; contentType?: string }[] = [];
    for await (const p of client.listPropertiesOfSecrets()) listed.push(p);
    expect(listed.find((p) => p.name === 'to-disable')).toMatchObject({ enabled: false, contentType: 'text/x' });
  });

  it('answers an unknown secret or version with 404 SecretNotFound', async () => {
    const client = t.secretClient('alpha');
    expect((await restErrorOf(client.getSecret('never-set'))).code).toBe('SecretNotFound');
    await client.setSecret('known', 'x');
    const error = await restErrorOf(client.getSecret('known', { version: '0'.repeat(32) }));
    expect([error.statusCode, error.code]).toEqual([404, 'SecretNotFound']);
  });

  it('soft-deletes, refuses to reuse the name, recovers, and purges', async () => {
    const client = t.secretClient('beta');
    await client.setSecret('short-lived', 'value-1');
    const poller = await client.beginDeleteSecret('short-lived', { intervalInMs: 10 });
    const deleted = await poller.pollUntilDone();
    expect(deleted.recoveryId).toBe(`${t.emulator.vaultUrl('beta')}/deletedsecrets/short-lived`);
    expect((await restErrorOf(client.getSecret('short-lived'))).code).toBe('SecretNotFound');
    expect((await restErrorOf(client.setSecret('short-lived', 'again'))).statusCode).toBe(409);

    const recover = await client.beginRecoverDeletedSecret('short-lived', { intervalInMs: 10 });
    await recover.pollUntilDone();
    expect((await client.getSecret('short-lived')).value).toBe('value-1');

    await (await client.beginDeleteSecret('short-lived', { intervalInMs: 10 })).pollUntilDone();
    await client.purgeDeletedSecret('short-lived');
    expect((await client.setSecret('short-lived', 'fresh')).value).toBe('fresh');
  });

  it('rejects an invalid body without echoing it and without changing the secret', async () => {
    const client = t.secretClient('alpha');
    await client.setSecret('guarded', 'kept-value');
    const response = await t.vaultFetch('alpha', '/secrets/guarded?api-version=7.6', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"value": "leaked-value',
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('BadParameter');
    expect(text).not.toContain('leaked-value');
    expect((await client.getSecret('guarded')).value).toBe('kept-value');
  });

  it('requires an api-version', async () => {
    const response = await t.vaultFetch('alpha', '/secrets');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'BadParameter' } });
  });
});
