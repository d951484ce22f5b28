/**
 * The body of a cluster's registration / heartbeat (POST /api/clusters/{cluster}/registration): which vault objects
 * its CRs reference, how it wants notifications (push to its endpoint, or its own Storage Queue) and, for push, where.
 *
 *   {"cluster": "prod-a", "delivery": "push", "endpoint": "https://agent.example/v1/notifications",
 *    "caPem": "-----BEGIN CERTIFICATE-----…",                 (optional, push only)
 *    "subscriptions": [{"vault": "kv-prod", "objectType": "Secret", "objectName": "db-*"}, …]}
 *
 * `objectName` is a name or a glob (`*`, `?`); vault names are literal (routing looks them up). Errors name the
 * field and never quote more than a short preview of input.
 */
import { X509Certificate } from 'node:crypto';
import { TerminalError } from '../errors.js';
import type { KeyVaultObjectType } from '../events/key-vault-event.js';
import { isObjectName, isVaultName, preview } from '../events/key-vault-names.js';
import { parseJsonObject } from '../notification/parse-json-object.js';
import { pushEndpointProblem, type ForbiddenHost } from './push-endpoint.js';

export type DeliveryMode = 'push' | 'queue';

export interface Subscription {
  readonly vault: string;
  readonly objectType: KeyVaultObjectType;
  /** A name, or a glob when it contains `*` or `?`. */
  readonly objectName: string;
}

export interface Registration {
  readonly cluster: string;
  readonly delivery: DeliveryMode;
  /** Set exactly in push mode. */
  readonly endpoint: string | undefined;
  readonly caPem: string | undefined;
  /** Deduplicated (case-insensitively), in input order. */
  readonly subscriptions: readonly Subscription[];
}

export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const MAX_REGISTRATION_BYTES = 512 * 1024;
export const MAX_SUBSCRIPTIONS = 2000;
const OBJECT_TYPES: readonly KeyVaultObjectType[] = ['Secret', 'Certificate', 'Key'];
const FIELDS = new Set(['cluster', 'delivery', 'endpoint', 'caPem', 'subscriptions']);

export const isGlob = (objectName: string): boolean => /[*?]/.test(objectName);

export class InvalidRegistrationError extends TerminalError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('InvalidRegistration', `invalid registration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** Parses and validates a registration body sent for `pathCluster`; throws InvalidRegistrationError listing every problem. */
export function parseRegistration(body: string, pathCluster: string, forbiddenHost: ForbiddenHost): Registration {
  if (body.length > MAX_REGISTRATION_BYTES) throw new InvalidRegistrationError([`body is larger than ${MAX_REGISTRATION_BYTES} bytes`]);
  const e = parseJsonObject(body, 'registration', (m) => new InvalidRegistrationError([m]));
  const problems: string[] = [];
  for (const key of Object.keys(e)) if (!FIELDS.has(key)) problems.push(`unknown field ${preview(key, 40)}`);
  if (e.cluster !== pathCluster || !CLUSTER_NAME.test(pathCluster)) problems.push('cluster: must be the cluster name of the URL');
  const delivery = e.delivery;
  if (delivery !== 'push' && delivery !== 'queue') problems.push('delivery: must be "push" or "queue"');
  let endpoint: string | undefined;
  if (delivery === 'push') {
    const problem = typeof e.endpoint === 'string' ? pushEndpointProblem(e.endpoint, forbiddenHost) : 'required for push delivery';
    if (problem === undefined) endpoint = new URL(e.endpoint as string).href;
    else problems.push(`endpoint: ${problem}`);
  } else if (e.endpoint !== undefined || e.caPem !== undefined) problems.push('endpoint, caPem: only for push delivery');
  const caPem = e.caPem === undefined ? undefined : certificate(e.caPem, problems);
  const subscriptions = parseSubscriptions(e.subscriptions, problems);
  if (problems.length > 0) throw new InvalidRegistrationError(problems);
  return Object.freeze({ cluster: pathCluster, delivery: delivery as DeliveryMode, endpoint, caPem, subscriptions });
}

function parseSubscriptions(raw: unknown, problems: string[]): readonly Subscription[] {
  if (!Array.isArray(raw) || raw.length > MAX_SUBSCRIPTIONS) {
    problems.push(`subscriptions: must be a list of at most ${MAX_SUBSCRIPTIONS} {vault, objectType, objectName}`);
    return [];
  }
  const seen = new Map<string, Subscription>();
  raw.forEach((s: unknown, i) => {
    const o = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    const vault = typeof o.vault === 'string' ? o.vault.toLowerCase() : '';
    const objectType = o.objectType as KeyVaultObjectType;
    const objectName = typeof o.objectName === 'string' ? o.objectName : '';
    // `?` is a glob here (never part of a Key Vault name), so it is checked as any one character.
    const bad = [
      !isVaultName(vault) && 'vault',
      !OBJECT_TYPES.includes(objectType) && 'objectType',
      !isObjectName(objectName.replaceAll('?', '_')) && 'objectName',
      Object.keys(o).some((k) => !['vault', 'objectType', 'objectName'].includes(k)) && 'unknown field',
    ].filter(Boolean);
    if (bad.length > 0) problems.push(`subscriptions[${i}]: invalid ${bad.join(', ')}`);
    else seen.set(`${vault}\n${objectType}\n${objectName.toLowerCase()}`, Object.freeze({ vault, objectType, objectName }));
  });
  return Object.freeze([...seen.values()]);
}

function certificate(raw: unknown, problems: string[]): string | undefined {
  try {
    if (typeof raw === 'string' && raw.includes('-----BEGIN CERTIFICATE-----') && new X509Certificate(raw).publicKey) return raw;
  } catch {
    // fall through
  }
  problems.push('caPem: must be one or more PEM certificates');
  return undefined;
}
