/**
 * Tenancy end to end on the real local stack: AzureKeyVaultAccessPolicy objects, per-namespace identity through a
 * TokenRequest token federated to the Key Vault emulator (which trusts the kube-apiserver's ServiceAccount issuer and
 * enforces per-identity object grants), and the emulator's per-client counters as the witness of who read what.
 *   namespaces[0] platform: policy without identity → the agent's own identity, which may read both teams' vaults
 *   namespaces[1] team A:   kv-a team-a-* as team A's client id
 *   namespaces[2] team B:   any object of kv-a/kv-b by policy, but team B's client id holds only kv-b team-b-*
 *   namespaces[3] no policy selects it
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { AkvsSpec, AkvsStatus } from '../../../core/crd/azure-key-vault-secret.js';
import type { AccessPolicySpec } from '../../../core/tenancy/access-policy.js';
import { type KeyVaultEmulator, startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { getTestStack } from '../support/stack-client.js';
import { type AgentHarness, decode, startAgentHarness, waitFor } from './agent-harness.js';

const stack = getTestStack();
const TEAM_A_VALUE = 'team-A-S3cret-4c1e';
const TEAM_B_VALUE = 'team-B-S3cret-77d0';
const LABEL = 'tenancy.akvsync.test/team';
const run = randomBytes(3).toString('hex');
const teamA = randomUUID();
const teamB = randomUUID();
const policyNames = [`${run}-platform`, `${run}-team-a`, `${run}-team-b`];
const custom = stack.kubeConfig.makeApiClient(CustomObjectsApi);

let emulator: KeyVaultEmulator;
let h: AgentHarness;
let platform: string, nsA: string, nsB: string, nsNone: string;

const spec = (vault: string, object: string): AkvsSpec => ({ vault: { name: vault, object: { name: object, type: 'secret' } }, output: { secret: { name: 'out', dataKey: 'value' } } });
const policy = (name: string, s: AccessPolicySpec) => custom.createClusterCustomObject({
  group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultaccesspolicies',
  body: { apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultAccessPolicy', metadata: { name }, spec: s },
});
const readyOf = (s: AkvsStatus | undefined) => s?.conditions?.find((c) => c.type === 'Ready');
const settled = (ns: string, name: string, status: 'True' | 'False') => waitFor(`${ns}/${name} Ready=${status}`, async () => {
  const s = await h.getStatus(ns, name);
  return readyOf(s)?.status === status ? s : undefined;
});

beforeAll(async () => {
  emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: ['kv-a', 'kv-b'] });
  emulator.setSecret('kv-a', 'team-a-db', TEAM_A_VALUE);
  emulator.setSecret('kv-b', 'team-b-db', TEAM_B_VALUE);
  // referenced only by forbidden CRs, so any Key Vault request for them would show in the counters
  emulator.setSecret('kv-a', 'team-a-private', TEAM_A_VALUE);
  emulator.setSecret('kv-b', 'team-b-private', TEAM_B_VALUE);
  await policy(policyNames[0] as string, { namespaceSelector: { matchLabels: { [LABEL]: `platform-${run}` } }, grants: [{ vault: '*', objects: ['*'] }] });
  await policy(policyNames[1] as string, {
    namespaceSelector: { matchLabels: { [LABEL]: `a-${run}` } }, grants: [{ vault: 'kv-a', objects: ['team-a-*'] }],
    identity: { serviceAccountName: 'akvsync-reader', clientId: teamA },
  });
  await policy(policyNames[2] as string, {
    namespaceSelector: { matchExpressions: [{ key: LABEL, operator: 'In', values: [`b-${run}`] }] }, grants: [{ vault: 'kv-?', objects: ['*'] }],
    identity: { serviceAccountName: 'akvsync-reader', clientId: teamB },
  });
  h = await startAgentHarness({
    emulator, vaults: ['kv-a', 'kv-b'], namespaces: 4,
    env: { AKVSYNC_ACCESS_POLICY: 'crd', AZURE_TENANT_ID: emulator.tenantId, AZURE_AUTHORITY_HOST: emulator.authorityHost, AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true' },
  });
  [platform, nsA, nsB, nsNone] = h.namespaces as [string, string, string, string];
  const label = (ns: string, value: string) => h.core.patchNamespace({ name: ns, body: [{ op: 'add', path: '/metadata/labels', value: { [LABEL]: value } }] });
  await label(platform, `platform-${run}`);
  await label(nsA, `a-${run}`);
  await label(nsB, `b-${run}`);
  for (const ns of [nsA, nsB]) await stack.ensureServiceAccount(ns, 'akvsync-reader');
  await emulator.trustOidcIssuer(stack.serviceAccountIssuer);
  emulator.federateServiceAccount({ clientId: teamA, issuer: stack.serviceAccountIssuer, namespace: nsA, serviceAccountName: 'akvsync-reader' });
  emulator.federateServiceAccount({ clientId: teamB, issuer: stack.serviceAccountIssuer, namespace: nsB, serviceAccountName: 'akvsync-reader' });
  emulator.restrictObjects(teamA, [{ vault: 'kv-a', objects: ['team-a-*'] }]);
  emulator.restrictObjects(teamB, [{ vault: 'kv-b', objects: ['team-b-*'] }]);
});
afterAll(async () => {
  await h?.stop();
  await emulator?.close();
  for (const name of policyNames) await custom.deleteClusterCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultaccesspolicies', name }).catch(() => undefined);
});

describe('tenancy: access policy and per-namespace identity', () => {
  it('says at start-up which policy source is in force, and prints no "no policy" warning', () => {
    expect(h.logLines.join('\n')).not.toMatch(/NO ACCESS POLICY IS IN FORCE/);
    expect(h.logLines.join('\n')).toMatch(new RegExp(`${policyNames[1]}.*access policies in force`));
  });

  it("each team reads its own vault as its own client id; the agent's own identity reads both teams' vaults", async () => {
    emulator.resetCounters();
    await h.createAkvs(nsA, 'db', spec('kv-a', 'team-a-db'));
    await h.createAkvs(nsB, 'db', spec('kv-b', 'team-b-db'));
    await h.createAkvs(platform, 'from-a', { ...spec('kv-a', 'team-a-db'), output: { secret: { name: 'from-a', dataKey: 'value' } } });
    await h.createAkvs(platform, 'from-b', { ...spec('kv-b', 'team-b-db'), output: { secret: { name: 'from-b', dataKey: 'value' } } });
    for (const [ns, name] of [[nsA, 'db'], [nsB, 'db'], [platform, 'from-a'], [platform, 'from-b']] as const) await settled(ns, name, 'True');

    expect(decode(await h.readSecret(nsA, 'out'), 'value')).toBe(TEAM_A_VALUE);
    expect(decode(await h.readSecret(nsB, 'out'), 'value')).toBe(TEAM_B_VALUE);
    expect(decode(await h.readSecret(platform, 'from-a'), 'value')).toBe(TEAM_A_VALUE);
    expect(decode(await h.readSecret(platform, 'from-b'), 'value')).toBe(TEAM_B_VALUE);
    // (each new CR of an object re-reconciles the object's CRs, so a client may read it more than once)
    const byClient = emulator.countersByClient();
    const reads = (client: string) => Object.keys(byClient[client] ?? {}).filter((k) => k.includes('getSecret')).sort();
    expect(reads(teamA)).toEqual(['kv-a getSecret 200']);
    expect(reads(teamB)).toEqual(['kv-b getSecret 200']);
    expect(reads(emulator.clientId)).toEqual(['kv-a getSecret 200', 'kv-b getSecret 200']);
  });

  it("team B's CR naming team A's secret is read as team B and refused (403), attributed to team B's client id", async () => {
    emulator.resetCounters();
    await h.createAkvs(nsB, 'steal', { ...spec('kv-a', 'team-a-db'), output: { secret: { name: 'stolen', dataKey: 'value' } } });

    const status = await settled(nsB, 'steal', 'False');

    expect(readyOf(status)).toMatchObject({ reason: 'KeyVaultForbidden', message: expect.stringMatching(`^client ${teamB} \\(ServiceAccount ${nsB}/akvsync-reader\\) may not read kv-a/team-a-db \\(403`) });
    expect(await h.readSecret(nsB, 'stolen')).toBeUndefined();
    const byClient = emulator.countersByClient();
    expect(byClient[teamB]?.['kv-a getSecret 403']).toBeGreaterThanOrEqual(1);
    expect(byClient[teamB]?.['kv-a getSecret 200']).toBeUndefined();
    const refusedUnder = Object.entries(byClient).filter(([, counts]) => Object.keys(counts).some((k) => k.endsWith(' 403'))).map(([client]) => client);
    expect(refusedUnder).toEqual([teamB]);
    expect(JSON.stringify({ status, logs: h.logLines })).not.toContain(TEAM_A_VALUE);
  });

  it('a CR outside its namespace policy is Forbidden with no Key Vault request, and looks the same whether the object exists or not', async () => {
    emulator.resetCounters();
    await h.createAkvs(nsNone, 'exists', spec('kv-a', 'team-a-private'));
    await h.createAkvs(nsNone, 'missing', spec('kv-a', 'team-a-nothing'));
    await h.createAkvs(nsA, 'other-vault', { ...spec('kv-b', 'team-b-private'), output: { secret: { name: 'other', dataKey: 'value' } } });

    const exists = await settled(nsNone, 'exists', 'False');
    const missing = await settled(nsNone, 'missing', 'False');
    const otherVault = await settled(nsA, 'other-vault', 'False');

    expect(readyOf(exists)).toMatchObject({ reason: 'Forbidden', message: expect.stringContaining(`no AzureKeyVaultAccessPolicy selects namespace '${nsNone}'`) });
    expect(readyOf(otherVault)).toMatchObject({ reason: 'Forbidden', message: expect.stringContaining(`(${policyNames[1]}) covers it`) });
    await h.agent.whenIdle();
    expect(emulator.requestCount()).toBe(0);
    expect(emulator.countersByClient()).toEqual({});

    const events = await waitFor('both Forbidden Events', async () => {
      const list = (await h.core.listNamespacedEvent({ namespace: nsNone })).items.filter((e) => e.reason === 'Forbidden');
      return list.length === 2 ? list : undefined;
    });
    const shape = (name: string, object: string, s: AkvsStatus) => JSON.stringify({
      conditions: s.conditions?.map(({ lastTransitionTime: _t, ...c }) => c),
      lastError: s.lastError,
      syncedVersion: s.syncedVersion,
      events: events.filter((e) => e.involvedObject.name === name).map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count })),
    }).replaceAll(object, '<object>').replaceAll(`"${name}"`, '<cr>');
    expect(shape('exists', 'team-a-private', exists)).toBe(shape('missing', 'team-a-nothing', missing));
    expect(await h.readSecret(nsNone, 'out')).toBeUndefined();
  });

  it("a namespace's label change is picked up at once: labelled into the platform policy, its Forbidden CR syncs", async () => {
    await settled(nsNone, 'exists', 'False');

    await h.core.patchNamespace({ name: nsNone, body: [{ op: 'add', path: '/metadata/labels', value: { [LABEL]: `platform-${run}` } }] });

    await settled(nsNone, 'exists', 'True');
    expect(decode(await h.readSecret(nsNone, 'out'), 'value')).toBe(TEAM_A_VALUE);
    expect(h.logLines.join('\n')).toMatch(new RegExp(`"namespace":"${nsNone}".*namespace labels changed`));
  });
});
