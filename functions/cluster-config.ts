/**
 * The clusters of AKVSYNC_CLUSTERS: where each one's agent listens, the key its notifications are signed with,
 * and which vault objects it wants. Problems are collected (naming the entry and field, never quoting key
 * material) so one start-up reports all of them.
 */
import { X509Certificate } from 'node:crypto';
import { decodeKeyMaterial } from '../core/notification/key-material.js';
import { KEY_ID_PATTERN, MIN_KEY_BYTES, type SigningKey } from '../core/notification/signature.js';
import type { ClusterRoute } from '../core/routing/plan-deliveries.js';
import { pushEndpointProblem } from '../core/registry/push-endpoint.js';
import { CLUSTER_NAME, type DeliveryMode } from '../core/registry/registration.js';
import type { AppSettings } from './app-settings.js';
import { deliveryQueueName } from './cluster-queues.js';
import { forbiddenAddressReason } from '../core/net/forbidden-address.js';

export type { DeliveryMode };

export interface ClusterConfig extends ClusterRoute {
  /** `push` (HTTPS to pushUrl, the default) or `queue` (the cluster's own Storage Queue, for clusters without inbound access). */
  readonly delivery: DeliveryMode;
  /** The agent's notify endpoint; set exactly in push mode. */
  readonly pushUrl: string | undefined;
  /** PEM CA(s) that replace the public roots for this cluster's endpoint (push mode). */
  readonly caPem: string | undefined;
  /** The Storage Queue the agent drains in queue mode (default derived from the name, see cluster-queues.ts). */
  readonly queueName: string;
  /** The key this cluster's notifications are signed with (its bytes are not enumerable). */
  readonly signingKey: SigningKey;
}

const CLUSTER_KEYS = new Set(['name', 'delivery', 'pushUrl', 'queueName', 'keyId', 'signingKey', 'signingKeySetting', 'caPem', 'vaults', 'objects']);
const QUEUE_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,54}[a-z0-9]$/;
const VAULT_NAME = /^[a-z0-9][a-z0-9-]{1,22}[a-z0-9]$/;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

export function parseClusters(settings: AppSettings, problems: string[]): ClusterConfig[] {
  const raw = settings.AKVSYNC_CLUSTERS;
  if (raw === undefined || raw.trim() === '') {
    problems.push('AKVSYNC_CLUSTERS: required (a JSON array of clusters, see docs/functions.md)');
    return [];
  }
  if (KEY_VAULT_REFERENCE.test(raw.trim())) {
    problems.push(`AKVSYNC_CLUSTERS: ${UNRESOLVED_REFERENCE}`);
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // The parser's message quotes the input, which holds signing keys: say only that it is not JSON.
    problems.push('AKVSYNC_CLUSTERS: not valid JSON');
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push('AKVSYNC_CLUSTERS: must be a non-empty JSON array of clusters');
    return [];
  }
  const clusters = parsed.flatMap((entry, i) => parseCluster(entry, `AKVSYNC_CLUSTERS[${i}]`, settings, problems) ?? []);
  const names = clusters.map((c) => c.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`AKVSYNC_CLUSTERS: cluster name "${name}" appears more than once`);
  return clusters;
}

const UNRESOLVED_REFERENCE =
  'is an unresolved Key Vault reference (@Microsoft.KeyVault(...)): the platform resolves it only when the app\'s managed identity may read the secret; the local host does not resolve references';

function parseCluster(entry: unknown, at: string, settings: AppSettings, problems: string[]): ClusterConfig | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push(`${at}: must be an object`);
    return undefined;
  }
  const e = entry as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(e)) if (!CLUSTER_KEYS.has(key)) problems.push(`${at}: unknown field "${key.slice(0, 40)}"`);
  const name = stringField(e, 'name', at, problems);
  if (name !== undefined && !CLUSTER_NAME.test(name)) problems.push(`${at}.name: must match ${CLUSTER_NAME}`);
  const where = name !== undefined ? `${at} ("${name.slice(0, 63)}")` : at;
  const delivery = e.delivery ?? 'push';
  if (delivery !== 'push' && delivery !== 'queue') problems.push(`${where}.delivery: must be "push" or "queue"`);
  const pushUrl = delivery === 'queue' ? noField(e, 'pushUrl', where, problems) : parsePushUrl(stringField(e, 'pushUrl', where, problems), where, problems);
  const queueName = e.queueName === undefined ? (name ? deliveryQueueName(name) : undefined) : e.queueName;
  if (typeof queueName !== 'string' || !QUEUE_NAME.test(queueName)) {
    problems.push(`${where}.queueName: must be a Storage Queue name (3–56 of a-z, 0-9 and single hyphens)`);
  }
  if (delivery === 'queue' && e.caPem !== undefined) problems.push(`${where}.caPem: only for push delivery`);
  const keyId = stringField(e, 'keyId', where, problems);
  if (keyId !== undefined && !KEY_ID_PATTERN.test(keyId)) problems.push(`${where}.keyId: must match ${KEY_ID_PATTERN}`);
  const key = parseSigningKey(e, where, settings, problems);
  const caPem = parseCaPem(e.caPem, where, problems);
  const vaults = parseVaults(e.vaults, where, problems);
  const objects = parseObjects(e.objects, where, problems);
  if (problems.length > before || !name || (delivery === 'push' && !pushUrl) || typeof queueName !== 'string' || !keyId || !key || !vaults) return undefined;
  return Object.freeze({
    name,
    delivery: delivery as DeliveryMode,
    pushUrl,
    caPem,
    queueName,
    signingKey: hiddenKey(keyId, key),
    vaults,
    ...(objects ? { objects } : {}),
  });
}

/** The key bytes are non-enumerable, so JSON.stringify, util.inspect and loggers never print them. */
export function hiddenKey(keyId: string, key: Uint8Array): SigningKey {
  const signingKey = { keyId } as { keyId: string; key: Uint8Array };
  Object.defineProperty(signingKey, 'key', { value: key, enumerable: false });
  return Object.freeze(signingKey);
}

function stringField(e: Record<string, unknown>, field: string, at: string, problems: string[]): string | undefined {
  const value = e[field];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  problems.push(`${at}.${field}: required, a non-empty string`);
  return undefined;
}

function noField(e: Record<string, unknown>, field: string, at: string, problems: string[]): undefined {
  if (e[field] !== undefined) problems.push(`${at}.${field}: not used with "delivery": "queue"`);
  return undefined;
}

function parsePushUrl(raw: string | undefined, at: string, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  const problem = pushEndpointProblem(raw, forbiddenAddressReason);
  if (problem !== undefined) {
    problems.push(`${at}.pushUrl: ${problem}`);
    return undefined;
  }
  return new URL(raw).href;
}

export function parseSigningKey(e: Record<string, unknown>, at: string, settings: AppSettings, problems: string[]): Uint8Array | undefined {
  const inline = e.signingKey;
  const setting = e.signingKeySetting;
  if ((inline === undefined) === (setting === undefined)) {
    problems.push(`${at}: set exactly one of signingKey (base64) and signingKeySetting (the name of an app setting holding it)`);
    return undefined;
  }
  let source = `${at}.signingKey`;
  let value = inline;
  if (setting !== undefined) {
    if (typeof setting !== 'string' || !SETTING_NAME.test(setting)) {
      problems.push(`${at}.signingKeySetting: must be an app setting name`);
      return undefined;
    }
    source = `${setting} (signingKeySetting of ${at})`;
    const fromSetting = settings[setting];
    value = fromSetting;
    if (fromSetting === undefined || fromSetting.trim() === '') {
      problems.push(`${source}: app setting is missing or empty`);
      return undefined;
    }
  }
  if (typeof value !== 'string') {
    problems.push(`${source}: must be a base64 string`);
    return undefined;
  }
  const text = value.trim();
  if (KEY_VAULT_REFERENCE.test(text)) {
    problems.push(`${source}: ${UNRESOLVED_REFERENCE}`);
    return undefined;
  }
  const key = decodeKeyMaterial(text);
  if (!key || key.byteLength < MIN_KEY_BYTES) {
    problems.push(`${source}: must be base64 of at least ${MIN_KEY_BYTES} random bytes (value not shown)`);
    return undefined;
  }
  return key;
}

function parseCaPem(raw: unknown, at: string, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && raw.includes('-----BEGIN CERTIFICATE-----') && isCertificate(raw)) return raw;
  problems.push(`${at}.caPem: must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)`);
  return undefined;
}

function parseVaults(raw: unknown, at: string, problems: string[]): readonly string[] | '*' | undefined {
  const list = Array.isArray(raw) && raw.length > 0 && raw.every((v) => typeof v === 'string') ? raw.map((v: string) => v.trim().toLowerCase()) : undefined;
  if (list && list.length === 1 && list[0] === '*') return '*';
  if (!list || !list.every((v) => VAULT_NAME.test(v))) {
    problems.push(`${at}.vaults: must be ["*"] or a non-empty list of vault names`);
    return undefined;
  }
  return Object.freeze([...new Set(list)]);
}

function parseObjects(raw: unknown, at: string, problems: string[]): readonly string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((o) => typeof o === 'string' && o.trim() !== '' && o.length <= 127)) {
    problems.push(`${at}.objects: when set, a non-empty list of object names or globs (* and ?)`);
    return undefined;
  }
  return Object.freeze(raw.map((o: string) => o.trim()));
}

function isCertificate(pem: string): boolean {
  try {
    return new X509Certificate(pem).publicKey !== undefined;
  } catch {
    return false;
  }
}
