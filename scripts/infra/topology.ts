/**
 * One shape for the Azure topology, read from the Bicep (through bicep-declarations.ts) and from the
 * Terraform (through @cdktf/hcl2json), so test/unit/infra/one-topology.test.ts can compare the two.
 * Names are normalised to snake_case; interpolations to `${name}` with the variable's last segment.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { isExpression, readBicep, type BicepDeclaration, type BicepValue } from './bicep-declarations.js';

export interface TopologyResource {
  readonly module: string;
  readonly armType: string;
  /** Literal or normalised template name; role assignments are named by their description. */
  readonly name: string;
  readonly mode: 'always' | 'conditional' | 'each';
}

export interface RoleAssignment {
  readonly module: string;
  readonly description: string;
  readonly role: string;
  /** The ARM type of the resource whose identity is granted the role. */
  readonly principalType: string;
  /** The scope, normalised (storage_account, key_vault, dead_letter_container, …). */
  readonly scope: string;
  readonly mode: TopologyResource['mode'];
}

export interface Topology {
  readonly modules: readonly string[];
  readonly resources: readonly TopologyResource[];
  readonly roleAssignments: readonly RoleAssignment[];
  readonly eventTypes: readonly string[];
  readonly eventSubscription: Readonly<Record<string, unknown>>;
  readonly federatedCredentials: readonly Readonly<Record<string, unknown>>[];
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly outputs: readonly string[];
}

/** Built-in role ids (Azure RBAC) of every role the templates grant. */
export const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '8a0f0c08-91a1-4084-bc3d-661d67233fed': 'Storage Queue Data Message Processor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba': 'Key Vault Certificate User',
};

/** The azurerm resource types the Terraform uses, and the ARM type each manages. */
export const AZURERM_ARM_TYPES: Readonly<Record<string, string>> = {
  azurerm_log_analytics_workspace: 'Microsoft.OperationalInsights/workspaces',
  azurerm_application_insights: 'Microsoft.Insights/components',
  azurerm_storage_account: 'Microsoft.Storage/storageAccounts',
  azurerm_storage_container: 'Microsoft.Storage/storageAccounts/blobServices/containers',
  azurerm_storage_table: 'Microsoft.Storage/storageAccounts/tableServices/tables',
  azurerm_storage_queue: 'Microsoft.Storage/storageAccounts/queueServices/queues',
  azurerm_key_vault: 'Microsoft.KeyVault/vaults',
  azurerm_service_plan: 'Microsoft.Web/serverfarms',
  azurerm_function_app_flex_consumption: 'Microsoft.Web/sites',
  azurerm_role_assignment: 'Microsoft.Authorization/roleAssignments',
  azurerm_eventgrid_system_topic: 'Microsoft.EventGrid/systemTopics',
  azurerm_eventgrid_system_topic_event_subscription: 'Microsoft.EventGrid/systemTopics/eventSubscriptions',
  azurerm_user_assigned_identity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  azurerm_federated_identity_credential: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
};

const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
const SUBSCRIPTION = 'Microsoft.EventGrid/systemTopics/eventSubscriptions';
const FEDERATED_CREDENTIAL = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';

export const snake = (name: string): string => name.replace(/-/g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
/** `${var.service_account_name}`, `${serviceAccountName}`, `${each.value.namespace}` → `${service_account_name}`/`${namespace}`. */
export const normaliseTemplate = (text: string): string =>
  text.replace(/\$\{([^}]*)\}/g, (_, inner: string) => `\${${snake(inner.trim().split('.').pop() ?? inner)}}`);
/** A reference to a variable or parameter: `${var.x}` / expr `x` → `x` in snake_case. */
const reference = (v: unknown): string | undefined => {
  if (isExpression(v as BicepValue)) return snake((v as { expr: string }).expr.split('.').pop() ?? '');
  if (typeof v === 'string') return /^\$\{([^}]+)\}$/.exec(v)?.[1]?.split('.').map(snake).pop();
  return undefined;
};

// ---------------------------------------------------------------- Bicep

export async function bicepTopology(dir: string): Promise<Topology> {
  const main = readBicep('main.bicep', await readFile(join(dir, 'main.bicep'), 'utf8'));
  const modules = main.filter((d) => d.kind === 'module');
  const resources: TopologyResource[] = [];
  const roleAssignments: RoleAssignment[] = [];
  const federatedCredentials: Record<string, unknown>[] = [];
  let eventSubscription: Record<string, unknown> = {};
  for (const mod of modules) {
    const moduleName = snake(basename(mod.type ?? '', '.bicep'));
    const decls = readBicep(mod.type ?? '', await readFile(join(dir, mod.type ?? ''), 'utf8'));
    const symbols = new Map(decls.filter((d) => d.kind === 'resource').map((d) => [d.name, armType(d)]));
    const roles = objectOf(decls.find((d) => d.kind === 'var' && d.name === 'roles')?.value);
    for (const d of decls.filter((x) => x.kind === 'resource' && !x.existing)) {
      const type = armType(d);
      const body = objectOf(d.value);
      const props = objectOf(body.properties);
      const mode = d.condition ? 'conditional' : d.loop || mod.loop ? 'each' : 'always';
      if (type.endsWith('Services') && body.name === 'default') continue; // blob/queue/table service parents: no azurerm counterpart
      if (type === ROLE_ASSIGNMENT) {
        const roleKey = /roles\.(\w+)\)\s*$/.exec(exprText(props.roleDefinitionId))?.[1] ?? '';
        const roleId = typeof roles[roleKey] === 'string' ? (roles[roleKey] as string) : '';
        roleAssignments.push({
          module: moduleName,
          description: String(props.description),
          role: BUILT_IN_ROLES[roleId] ?? `unknown role id ${roleId || roleKey}`,
          principalType: symbols.get(exprText(props.principalId).split('.')[0] ?? '') ?? `unknown principal ${exprText(props.principalId)}`,
          scope: snake(exprText(body.scope)),
          mode,
        });
        resources.push({ module: moduleName, armType: type, name: String(props.description), mode });
        continue;
      }
      resources.push({ module: moduleName, armType: type, name: nameOf(body.name, d.loop), mode });
      if (type === SUBSCRIPTION) eventSubscription = bicepSubscription(props);
      if (type === FEDERATED_CREDENTIAL) {
        federatedCredentials.push({ issuer: reference(props.issuer), subject: normaliseTemplate(String(props.subject)), audiences: props.audiences });
      }
    }
    for (const d of decls.filter((x) => x.kind === 'resource' && x.existing && x.condition)) {
      resources.push({ module: moduleName, armType: `existing ${armType(d)}`, name: nameOf(objectOf(d.value).name, undefined), mode: 'conditional' });
    }
  }
  const eventTypes = main.find((d) => d.kind === 'var' && d.name === 'keyVaultEventTypes')?.value;
  return {
    modules: modules.map((m) => snake(basename(m.type ?? '', '.bicep'))).sort(),
    resources: sortResources(resources),
    roleAssignments: sortRoles(roleAssignments),
    eventTypes: Array.isArray(eventTypes) ? eventTypes.map(String) : [],
    eventSubscription,
    federatedCredentials,
    parameters: Object.fromEntries(main.filter((d) => d.kind === 'param').map((d) => [snake(d.name), literalDefault(d)])),
    outputs: main.filter((d) => d.kind === 'output').map((d) => snake(d.name)).sort(),
  };
}

function armType(d: BicepDeclaration): string {
  return (d.type ?? '').split('@')[0] ?? '';
}

function objectOf(v: BicepValue | undefined): Record<string, BicepValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isExpression(v) ? (v as Record<string, BicepValue>) : {};
}

function exprText(v: BicepValue | undefined): string {
  return isExpression(v) ? v.expr : '';
}

function nameOf(v: BicepValue | undefined, loop: string | undefined): string {
  const loopVariable = loop ? /^for\s+(\w+)/.exec(loop)?.[1] : undefined;
  if (isExpression(v)) return v.expr === loopVariable ? '${each}' : `\${${snake(v.expr.split('.').pop() ?? '')}}`;
  return normaliseTemplate(String(v));
}

function literalDefault(d: BicepDeclaration): unknown {
  return d.value === undefined || isExpression(d.value) ? null : d.value;
}

function bicepSubscription(props: Record<string, BicepValue>): Record<string, unknown> {
  const destination = objectOf(objectOf(props.destination).properties);
  const filter = objectOf(props.filter);
  const retry = objectOf(props.retryPolicy);
  const deadLetter = objectOf(props.deadLetterWithResourceIdentity);
  return {
    schema: props.eventDeliverySchema,
    endpoint: objectOf(props.destination).endpointType,
    functionPath: String(destination.resourceId).replace(/^\$\{[^}]*\}/, ''),
    maxEventsPerBatch: destination.maxEventsPerBatch,
    preferredBatchSizeInKilobytes: destination.preferredBatchSizeInKilobytes,
    includedEventTypes: reference(filter.includedEventTypes),
    subjectBeginsWith: reference(filter.subjectBeginsWith),
    subjectEndsWith: reference(filter.subjectEndsWith),
    caseSensitive: filter.isSubjectCaseSensitive,
    maxDeliveryAttempts: reference(retry.maxDeliveryAttempts),
    eventTimeToLiveInMinutes: reference(retry.eventTimeToLiveInMinutes),
    deadLetterIdentity: objectOf(deadLetter.identity).type,
    deadLetterContainer: reference(objectOf(objectOf(deadLetter.deadLetterDestination).properties).blobContainerName),
  };
}

// ---------------------------------------------------------------- Terraform

type Hcl = Record<string, Record<string, Record<string, Record<string, unknown>[]>>>;

async function readHclDir(dir: string): Promise<Hcl[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.tf')).sort();
  return Promise.all(files.map(async (f) => (await parse(f, await readFile(join(dir, f), 'utf8'))) as Hcl));
}

export async function terraformTopology(dir: string): Promise<Topology> {
  const root = await readHclDir(dir);
  const blocks = <T = Record<string, unknown>>(docs: Hcl[], kind: string): [string, T][] =>
    docs.flatMap((doc) => Object.entries(doc[kind] ?? {}).map(([name, list]) => [name, (Array.isArray(list) ? list[0] : list) as T] as [string, T]));
  const modules = blocks(root, 'module');
  const resources: TopologyResource[] = [];
  const roleAssignments: RoleAssignment[] = [];
  const federatedCredentials: Record<string, unknown>[] = [];
  let eventSubscription: Record<string, unknown> = {};
  for (const [moduleName, call] of modules) {
    const docs = await readHclDir(join(dir, String(call.source)));
    const moduleLoop = call.for_each !== undefined || call.count !== undefined;
    for (const doc of docs) {
      for (const [tfType, byName] of Object.entries(doc.resource ?? {})) {
        for (const [, list] of Object.entries(byName)) {
          const r = list[0] ?? {};
          const type = AZURERM_ARM_TYPES[tfType] ?? `unmapped ${tfType}`;
          const mode = r.count !== undefined ? 'conditional' : r.for_each !== undefined || moduleLoop ? 'each' : 'always';
          if (type === ROLE_ASSIGNMENT) {
            const principal = /^\$\{(\w+)\./.exec(String(r.principal_id))?.[1] ?? '';
            roleAssignments.push({
              module: moduleName,
              description: String(r.description),
              role: String(r.role_definition_name),
              principalType: AZURERM_ARM_TYPES[principal] ?? `unknown principal ${String(r.principal_id)}`,
              scope: (reference(r.scope) ?? '').replace(/_id$/, ''),
              mode,
            });
            resources.push({ module: moduleName, armType: type, name: String(r.description), mode });
            continue;
          }
          resources.push({ module: moduleName, armType: type, name: r.name === '${each.value}' ? '${each}' : normaliseTemplate(String(r.name)), mode });
          if (type === SUBSCRIPTION) eventSubscription = terraformSubscription(r);
          if (type === FEDERATED_CREDENTIAL) federatedCredentials.push({ issuer: reference(r.issuer), subject: normaliseTemplate(String(r.subject)), audiences: r.audience });
        }
      }
      for (const [tfType, byName] of Object.entries(doc.data ?? {})) {
        for (const [, list] of Object.entries(byName)) {
          const r = list[0] ?? {};
          if (r.count !== undefined) resources.push({ module: moduleName, armType: `existing ${AZURERM_ARM_TYPES[tfType] ?? tfType}`, name: normaliseTemplate(String(r.name)), mode: 'conditional' });
        }
      }
    }
  }
  const locals = Object.assign({}, ...root.flatMap((doc) => (doc.locals as unknown as Record<string, unknown>[] | undefined) ?? [])) as Record<string, unknown>;
  const variables = blocks<{ default?: unknown }>(root, 'variable');
  return {
    modules: modules.map(([name]) => name).sort(),
    resources: sortResources(resources),
    roleAssignments: sortRoles(roleAssignments),
    eventTypes: Array.isArray(locals.key_vault_event_types) ? locals.key_vault_event_types.map(String) : [],
    eventSubscription,
    federatedCredentials,
    parameters: Object.fromEntries(variables.map(([name, v]) => [name, v.default ?? null])),
    outputs: blocks(root, 'output').map(([name]) => name).sort(),
  };
}

function terraformSubscription(r: Record<string, unknown>): Record<string, unknown> {
  const first = (key: string): Record<string, unknown> => ((r[key] as Record<string, unknown>[] | undefined)?.[0] ?? {});
  const fn = first('azure_function_endpoint');
  const filter = first('subject_filter');
  const retry = first('retry_policy');
  return {
    schema: r.event_delivery_schema,
    endpoint: Object.keys(fn).length > 0 ? 'AzureFunction' : undefined,
    functionPath: String(fn.function_id).replace(/^\$\{[^}]*\}/, ''),
    maxEventsPerBatch: fn.max_events_per_batch,
    preferredBatchSizeInKilobytes: fn.preferred_batch_size_in_kilobytes,
    includedEventTypes: reference(r.included_event_types),
    subjectBeginsWith: reference(filter.subject_begins_with),
    subjectEndsWith: reference(filter.subject_ends_with),
    caseSensitive: filter.case_sensitive,
    maxDeliveryAttempts: reference(retry.max_delivery_attempts),
    eventTimeToLiveInMinutes: reference(retry.event_time_to_live),
    deadLetterIdentity: first('dead_letter_identity').type,
    deadLetterContainer: reference(first('storage_blob_dead_letter_destination').storage_blob_container_name),
  };
}

const sortResources = (rs: TopologyResource[]): TopologyResource[] =>
  [...rs].sort((a, b) => `${a.module}|${a.armType}|${a.name}`.localeCompare(`${b.module}|${b.armType}|${b.name}`));
const sortRoles = (rs: RoleAssignment[]): RoleAssignment[] => [...rs].sort((a, b) => a.description.localeCompare(b.description));
