/**
 * Per-client counters with real SDK clients: each app's vault reads and token requests are counted under its own
 * client id (from its token's `appid` and its token request's `client_id`), the 401 challenges under ANONYMOUS.
 */
import { ClientSecretCredential } from '@azure/identity';
import { ANONYMOUS } from '../../../scripts/kv-emulator/emulator.js';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

let t: TrustedEmulator;

beforeAll(async () => {
  t = await startTrustedEmulator();
  t.emulator.setSecret('alpha', 'shared', 'shared-value');
});
afterAll(async () => {
  await t.emulator.close();
});

function credentialOf(app: { clientId: string; clientSecret: string }): ClientSecretCredential {
  return new ClientSecretCredential(t.emulator.tenantId, app.clientId, app.clientSecret, {
    authorityHost: t.emulator.authorityHost,
    disableInstanceDiscovery: true,
  });
}

describe('per-client request counters', () => {
  it('attributes vault reads and token requests to the client that made them', async () => {
    const reader = t.emulator.registerClient();
    const poller = t.emulator.registerClient({ clientId: '0e50e50e-0000-4000-8000-0000000000e5', clientSecret: 'poller-secret-0123456789' });
    t.emulator.resetCounters();

    const readerClient = t.secretClient('alpha', {}, credentialOf(reader));
    for (let i = 0; i < 2; i++) await readerClient.getSecret('shared');
    const pollerClient = t.secretClient('alpha', {}, credentialOf(poller));
    for (let i = 0; i < 5; i++) await pollerClient.getSecret('shared');

    expect(t.emulator.requestCount({ clientId: reader.clientId, vault: 'alpha', operation: 'getSecret' })).toBe(2);
    expect(t.emulator.requestCount({ clientId: poller.clientId, vault: 'alpha', operation: 'getSecret' })).toBe(5);
    expect(t.emulator.requestCount({ clientId: reader.clientId, operation: 'token' })).toBe(1);
    expect(t.emulator.requestCount({ clientId: poller.clientId.toUpperCase(), operation: 'token' })).toBe(1);
    const byClient = t.emulator.countersByClient();
    expect(byClient[poller.clientId]).toEqual({ '(authority) token 200': 1, 'alpha getSecret 200': 5 });
    // The challenges and MSAL's discovery of the authority name no client.
    expect(byClient[ANONYMOUS]).toEqual({ 'alpha getSecret 401': 2, '(authority) discovery 200': 2 });
    expect(t.emulator.requestCount({ operation: 'getSecret' })).toBe(7);
    expect(t.emulator.counters()['alpha getSecret 200']).toBe(7);
  });

  it('counts a refused token request under the client id it named', async () => {
    const app = t.emulator.registerClient();
    t.emulator.resetCounters();
    const wrong = credentialOf({ clientId: app.clientId, clientSecret: 'not-the-secret-of-this-app' });
    await expect(wrong.getToken('https://vault.azure.net/.default')).rejects.toThrow(/AADSTS7000215/);
    expect(t.emulator.countersByClient()[app.clientId]).toEqual({ '(authority) token 401': 1 });
  });
});
