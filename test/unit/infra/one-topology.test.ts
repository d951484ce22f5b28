/**
 * One topology, two languages: the Bicep (read by scripts/infra/bicep-declarations.ts, a strict reader of
 * `resource` declarations and literals — no Bicep compiler is reachable here) and the Terraform (parsed by
 * @cdktf/hcl2json) must declare the same resources per module, event types, subscription filter, retry and
 * dead-letter, role assignments (role, principal, scope, condition), federated credentials, parameters and
 * outputs. What this does not check is listed in infra/README.md.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { readBicepParams } from '../../../scripts/infra/bicep-declarations.js';
import { bicepTopology, snake, terraformTopology, type Topology } from '../../../scripts/infra/topology.js';

const infra = fileURLToPath(new URL('../../../infra/', import.meta.url));
let bicep: Topology;
let terraform: Topology;

beforeAll(async () => {
  [bicep, terraform] = await Promise.all([bicepTopology(join(infra, 'bicep')), terraformTopology(join(infra, 'terraform'))]);
});

const KEY_VAULT_EVENT_TYPES = ['Secret', 'Certificate', 'Key'].flatMap((o) => ['NewVersionCreated', 'NearExpiry', 'Expired'].map((e) => `Microsoft.KeyVault.${o}${e}`));

describe('Bicep and Terraform declare one topology', () => {
  it('the same modules and, per module, the same resources (type, name, always/conditional/per cluster)', () => {
    expect(bicep.modules).toEqual(['cluster_identity', 'event_grid', 'function_app', 'key_vaults', 'monitoring', 'storage']);
    expect(terraform.modules).toEqual(bicep.modules);
    expect(terraform.resources).toEqual(bicep.resources);
    expect(bicep.resources.filter((r) => r.armType.startsWith('unmapped') || r.armType === '')).toEqual([]);
  });

  it('the topology the issue asks for', () => {
    const has = (armType: string, name?: string) => bicep.resources.some((r) => r.armType === armType && (name === undefined || r.name === name));
    expect(has('Microsoft.Web/serverfarms')).toBe(true);
    expect(has('Microsoft.Web/sites')).toBe(true);
    expect(has('Microsoft.Storage/storageAccounts/blobServices/containers', 'deadletter')).toBe(true);
    expect(has('Microsoft.Storage/storageAccounts/tableServices/tables')).toBe(true);
    expect(has('Microsoft.Storage/storageAccounts/queueServices/queues', '${each}')).toBe(true);
    expect(has('Microsoft.Insights/components') && has('Microsoft.OperationalInsights/workspaces')).toBe(true);
    expect(bicep.resources.filter((r) => r.armType.endsWith('Microsoft.KeyVault/vaults') && r.name === '${key_vault_name}').map((r) => r.mode)).toEqual(['conditional', 'conditional']);
    expect(has('Microsoft.EventGrid/systemTopics')).toBe(true);
  });

  it('the nine Key Vault event types', () => {
    expect([...bicep.eventTypes].sort()).toEqual([...KEY_VAULT_EVENT_TYPES].sort());
    expect(terraform.eventTypes).toEqual(bicep.eventTypes);
  });

  it('one event subscription to the Function trigger with the subject filter, retry policy and dead-letter', () => {
    expect(bicep.eventSubscription).toEqual({
      schema: 'EventGridSchema',
      endpoint: 'AzureFunction',
      functionPath: '/functions/keyVaultEvents',
      maxEventsPerBatch: 1,
      preferredBatchSizeInKilobytes: 64,
      includedEventTypes: 'included_event_types',
      subjectBeginsWith: 'subject_begins_with',
      subjectEndsWith: 'subject_ends_with',
      caseSensitive: false,
      maxDeliveryAttempts: 'max_delivery_attempts',
      eventTimeToLiveInMinutes: 'event_time_to_live_in_minutes',
      deadLetterIdentity: 'SystemAssigned',
      deadLetterContainer: 'dead_letter_container_name',
    });
    expect(terraform.eventSubscription).toEqual(bicep.eventSubscription);
  });

  it('the same role assignments; each grants the role its description names, to that principal, on that scope', () => {
    expect(terraform.roleAssignments).toEqual(bicep.roleAssignments);
    const principals: Record<string, string> = {
      'function app': 'Microsoft.Web/sites',
      'cluster identity': 'Microsoft.ManagedIdentity/userAssignedIdentities',
      'event grid system topic': 'Microsoft.EventGrid/systemTopics',
    };
    for (const ra of bicep.roleAssignments) {
      const m = /^akvsync: (.+) -> (.+): (.+) \(.+\)$/.exec(ra.description);
      expect({ description: ra.description, parsed: Boolean(m) }).toEqual({ description: ra.description, parsed: true });
      const [, principal = '', scope = '', role = ''] = m ?? [];
      expect({ description: ra.description, role: ra.role, principalType: ra.principalType, scope: ra.scope }).toEqual({
        description: ra.description,
        role,
        principalType: principals[principal],
        scope: snake(scope.replace(/ /g, '_')),
      });
    }
  });

  it('least privilege: no Owner/Contributor roles, no vault-wide role for the Function on the delivered vault', () => {
    expect(bicep.roleAssignments.map((r) => r.role).filter((r) => /^(Owner|Contributor|Key Vault Administrator|Key Vault Secrets Officer)$/.test(r))).toEqual([]);
    expect(bicep.roleAssignments.filter((r) => r.principalType === 'Microsoft.Web/sites' && r.scope === 'key_vault')).toEqual([]);
    expect(bicep.roleAssignments.filter((r) => r.module === 'cluster_identity').map((r) => [r.role, r.mode])).toEqual([
      ['Storage Queue Data Message Processor', 'conditional'],
      ['Key Vault Certificate User', 'conditional'],
      ['Key Vault Secrets User', 'each'],
    ]);
  });

  it('a federated credential per cluster for the AKS OIDC issuer and the agent ServiceAccount', () => {
    expect(bicep.federatedCredentials).toEqual([{ issuer: 'oidc_issuer_url', subject: 'system:serviceaccount:${namespace}:${service_account_name}', audiences: ['api://AzureADTokenExchange'] }]);
    expect(terraform.federatedCredentials).toEqual(bicep.federatedCredentials);
  });

  it('the same parameters with the same defaults (Terraform also names the resource group Bicep deploys into) and outputs', () => {
    const { resource_group_name: resourceGroup, ...terraformParameters } = terraform.parameters;
    expect(resourceGroup).toBeNull();
    expect(Object.keys(terraformParameters).sort()).toEqual(Object.keys(bicep.parameters).sort());
    expect(terraformParameters).toEqual(bicep.parameters);
    expect(terraform.outputs).toEqual(bicep.outputs);
  });

  it('the example parameter files set the same values', async () => {
    const bicepParams = readBicepParams('main.bicepparam', await readFile(join(infra, 'bicep/main.bicepparam'), 'utf8'));
    const tfvars = (await parse('terraform.tfvars', await readFile(join(infra, 'terraform/terraform.tfvars.example'), 'utf8'))) as Record<string, unknown>;
    expect(bicepParams.using).toBe('main.bicep');
    const snakeKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(snakeKeys) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), snakeKeys(x)])) : v;
    const { resource_group_name: _rg, ...tfvarsWithoutGroup } = tfvars;
    expect(snakeKeys(bicepParams.params)).toEqual(tfvarsWithoutGroup);
    for (const name of Object.keys(tfvarsWithoutGroup)) expect(Object.keys(bicep.parameters)).toContain(name);
  });
});

describe('the comparison notices drift', () => {
  let copy: string;
  beforeEach(async () => {
    copy = await mkdtemp(join(tmpdir(), 'akvsync-infra-'));
    await cp(join(infra, 'bicep'), copy, { recursive: true });
  });
  afterEach(() => rm(copy, { recursive: true, force: true }));

  const edit = async (file: string, from: string, to: string): Promise<Topology> => {
    const text = await readFile(join(copy, file), 'utf8');
    expect(text).toContain(from);
    await writeFile(join(copy, file), text.replace(from, to));
    return bicepTopology(copy);
  };

  it('a role granted on a wider scope', async () => {
    const drifted = await edit('modules/event-grid.bicep', 'scope: deadLetterContainer', 'scope: storageAccount');
    expect(drifted.roleAssignments).not.toEqual(terraform.roleAssignments);
  });

  it('a different role behind the same description', async () => {
    const drifted = await edit('modules/cluster-identity.bicep', "roleDefinitions', roles.keyVaultCertificateUser)", "roleDefinitions', roles.keyVaultSecretsUser)");
    expect(drifted.roleAssignments).not.toEqual(terraform.roleAssignments);
  });

  it('an event type dropped, a retry parameter miswired, a resource made unconditional', async () => {
    expect((await edit('main.bicep', "  'Microsoft.KeyVault.KeyExpired'\n", '')).eventTypes).not.toEqual(terraform.eventTypes);
    expect((await edit('modules/event-grid.bicep', 'maxDeliveryAttempts: maxDeliveryAttempts', 'maxDeliveryAttempts: eventTimeToLiveInMinutes')).eventSubscription).not.toEqual(terraform.eventSubscription);
    expect((await edit('modules/key-vaults.bicep', "'Microsoft.KeyVault/vaults@2023-07-01' = if (createKeyVault) {", "'Microsoft.KeyVault/vaults@2023-07-01' = {")).resources).not.toEqual(terraform.resources);
  });
});
