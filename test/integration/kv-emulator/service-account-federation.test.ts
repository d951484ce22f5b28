/**
 * The emulator trusts the local kube-apiserver's ServiceAccount issuer (discovery + JWKS, fetched anonymously) as
 * Entra ID trusts an AKS cluster's OIDC issuer, and enforces per-identity object grants: a real TokenRequest token
 * exchanged by the real @azure/identity ClientAssertionCredential reads only what its client id was granted, and
 * every refused read is counted under that client id.
 */
import { randomUUID } from 'node:crypto';
import { ClientAssertionCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { type KeyVaultEmulator, startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const AUDIENCE = 'api://AzureADTokenExchange';
let emulator: KeyVaultEmulator;
let namespace: string;
const teamB = randomUUID();

const tokenOf = (serviceAccount: string) => () => stack.mintServiceAccountToken(namespace, serviceAccount, { audiences: [AUDIENCE], expirationSeconds: 600 });

function client(vault: string, clientId: string, assertion: () => Promise<string>): SecretClient {
  const credential = new ClientAssertionCredential(emulator.tenantId, clientId, assertion, { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true });
  return new SecretClient(emulator.vaultUrl(vault), credential, { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } });
}

const statusOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'ok', (e: unknown) => (e as { statusCode?: number }).statusCode ?? (e as Error).message);

beforeAll(async () => {
  emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: ['kv-a', 'kv-b'] });
  namespace = await stack.createNamespace('federation');
  await stack.ensureServiceAccount(namespace, 'reader');
  await stack.ensureServiceAccount(namespace, 'intruder');
  await emulator.trustOidcIssuer(stack.serviceAccountIssuer);
  emulator.federateServiceAccount({ clientId: teamB, issuer: stack.serviceAccountIssuer, namespace, serviceAccountName: 'reader' });
  emulator.restrictObjects(teamB, [{ vault: 'kv-b', objects: ['team-b-*'] }]);
  emulator.setSecret('kv-a', 'team-a-db', 'team-a-value');
  emulator.setSecret('kv-b', 'team-b-db', 'team-b-value');
  emulator.setSecret('kv-b', 'team-a-copy', 'team-a-value-in-b');
});
afterAll(async () => {
  await emulator.close();
});

describe('federation with the local ServiceAccount issuer, and per-identity object grants', () => {
  it("exchanges a TokenRequest token for the ServiceAccount's client id and reads a granted object", async () => {
    const token = await tokenOf('reader')();
    expect(decodeJwt(token)).toMatchObject({ iss: stack.serviceAccountIssuer, sub: `system:serviceaccount:${namespace}:reader` });

    const secret = await client('kv-b', teamB, tokenOf('reader')).getSecret('team-b-db');

    expect(secret.value).toBe('team-b-value');
    expect(emulator.requestCount({ clientId: teamB, operation: 'token' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses objects outside the grant with the same 403 whether they exist or not, counted under the client id', async () => {
    emulator.resetCounters();
    const b = client('kv-b', teamB, tokenOf('reader'));
    const a = client('kv-a', teamB, tokenOf('reader'));

    const answers = [await statusOf(b.getSecret('team-a-copy')), await statusOf(b.getSecret('team-a-missing')), await statusOf(a.getSecret('team-a-db'))];

    expect(answers).toEqual([403, 403, 403]);
    const counts = emulator.countersByClient()[teamB] ?? {};
    expect(counts['kv-b getSecret 403']).toBe(2);
    expect(counts['kv-a getSecret 403']).toBe(1);
    expect(counts['kv-b getSecret 200']).toBeUndefined();
    const listing = b.listPropertiesOfSecrets().next();
    expect(await statusOf(listing)).toBe(403);
  });

  it("refuses another ServiceAccount's token and a token signed with a key the issuer does not publish", async () => {
    expect(await statusOf(client('kv-b', teamB, tokenOf('intruder')).getSecret('team-b-db'))).toMatch(/AADSTS700213/);

    const forged = async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'forged' }).setIssuer(stack.serviceAccountIssuer)
        .setSubject(`system:serviceaccount:${namespace}:reader`).setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 600).sign(privateKey);
    };
    expect(await statusOf(client('kv-b', teamB, forged).getSecret('team-b-db'))).toMatch(/AADSTS700027/);
  });
});
