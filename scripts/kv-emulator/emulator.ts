/**
 * A local Azure Key Vault for development, tests, the demo and benchmarks: one HTTPS listener per vault with
 * Key Vault's challenge authentication, a token issuer for @azure/identity, secrets with versions, certificates
 * and keys, request counters, fault injection, and Event Grid events on every new version.
 * What is and is not emulated: docs/kv-emulator.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../core/ports/clock.js';
import { type TestCa, issueCertificate, issueLoopbackServerCert } from '../local-stack/tls.js';
import type { CertificateImport, CertificatePatch } from './certificate-state.js';
import { ClientRegistry, type FederatedCredential } from './client-registry.js';
import { resolveClient, resolveOptions } from './emulator-options.js';
import { newVersionEvent } from './event-grid-event.js';
import { ObjectAccess, type ObjectAccessRule } from './object-access.js';
import { OidcIssuerTrust } from './oidc-issuer-trust.js';
import { type DeliveryRecord, EventPublisher } from './event-publisher.js';
import { FaultInjector, type FaultRule } from './fault-injector.js';
import { loopbackPoster } from './http-post.js';
import type { KeyCreate, KeyPatch } from './key-state.js';
import type { NewVersion } from './object-records.js';
import { type RequestFilter, RequestStats } from './request-stats.js';
import type { SecretPatch } from './secret-state.js';
import { type TokenIssuer, startTokenIssuer } from './token-issuer.js';
import { TokenSigner } from './token-signer.js';
import { type Listener, startVaultServer } from './vault-server.js';
import { type VaultState, createVaultState } from './vault-state.js';

export type { FaultRule } from './fault-injector.js';
export type { DeliveryRecord } from './event-publisher.js';
export type { EventGridEvent } from './event-grid-event.js';
export type { CertificateImport, CertificatePatch } from './certificate-state.js';
export type { KeyCreate, KeyPatch } from './key-state.js';
export type { RequestFilter } from './request-stats.js';
export type { ObjectAccessRule } from './object-access.js';
export { ANONYMOUS } from './request-client.js';

export interface KeyVaultEmulatorOptions {
  ca: TestCa;
  vaults: string[];
  tenantId?: string;
  eventSubscribers?: string[];
  subscriptionId?: string;
  resourceGroup?: string;
  /** Fixed credentials for the registered app (default: a random client id and secret per start). */
  clientId?: string;
  clientSecret?: string;
  /** Time source for attributes, token lifetimes and event times (default: the system clock). */
  clock?: Clock;
  tokenLifetimeSeconds?: number;
  /** Event delivery retries: attempts per subscriber (default 4), first backoff (default 200 ms, doubling). */
  eventDelivery?: { attempts?: number; baseDelayMs?: number };
}

export interface SecretOptions {
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  nbf?: number;
  exp?: number;
}

export interface KeyVaultEmulator {
  vaultUrl(vault: string): string;
  resourceId(vault: string): string;
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  registerFederatedCredential(fc: FederatedCredential): void;
  /**
   * Also serve the authority as `hostName` (certificate from the emulator's CA) on a loopback `address`:`port`
   * (default 443), for a client that hard-codes Entra ID's host; only a mount namespace that maps the name to the
   * address sees it (scripts/peer-eso/). Returns the alias's base URL; closed with the emulator.
   */
  serveAuthorityAs(hostName: string, address: string, port?: number): Promise<string>;
  /** Another app with a client secret (default: a random client id and secret), so each tool gets its own identity. */
  registerClient(credentials?: { clientId?: string; clientSecret?: string }): { clientId: string; clientSecret: string };
  /** Authenticated requests (401 challenges left out), optionally of one vault, operation and/or client id. */
  requestCount(filter?: RequestFilter): number;
  counters(): Record<string, number>;
  /** The same counters per client id: the token's `appid` on a vault, the form's `client_id` at the authority. */
  countersByClient(): Record<string, Record<string, number>>;
  resetCounters(): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  setSecret(vault: string, name: string, value: string, opts?: SecretOptions): { version: string };
  /** PATCH without HTTP (no event, as in Azure). `version` absent: the latest. */
  updateSecret(vault: string, name: string, patch: SecretPatch & { version?: string }): void;
  deleteSecret(vault: string, name: string): void;
  /** Recovers a deleted secret (soft delete), as `POST /deletedsecrets/{name}/recover` does. No event, as in Azure. */
  recoverSecret(vault: string, name: string): void;
  /** A certificate version (PEM or PKCS#12 input, RSA or EC; policy: `contentType`, `exportable`); emits its event. */
  importCertificate(vault: string, name: string, input: CertificateImport): { version: string };
  /** PATCH of a certificate version (default the latest): `enabled`/`tags` reach its secret and key too. No event. */
  updateCertificate(vault: string, name: string, patch: CertificatePatch & { version?: string }): void;
  createKey(vault: string, name: string, input: KeyCreate): { version: string };
  /** PATCH of a key version (default the latest). No event. */
  updateKey(vault: string, name: string, patch: KeyPatch & { version?: string }): void;
  /** Only these client ids may use the vault (403 ForbiddenByRbac otherwise); undefined lifts the restriction. */
  restrictAccess(vault: string, clientIds: string[] | undefined): void;
  /**
   * Object-scoped grants of one client id (object-name globs per vault, like RBAC assignments on single secrets):
   * anything else answers it 403 ForbiddenByRbac, whether the object exists or not. Undefined lifts the restriction.
   */
  restrictObjects(clientId: string, rules: ObjectAccessRule[] | undefined): void;
  /**
   * Trust an OIDC issuer for federation (as Entra ID trusts an AKS cluster's): its discovery document and key set
   * are fetched anonymously, e.g. the local kube-apiserver's ServiceAccount issuer.
   */
  trustOidcIssuer(issuer: string): Promise<void>;
  /**
   * A federated credential of `clientId` for ServiceAccount `namespace/serviceAccountName` of a trusted issuer
   * (subject `system:serviceaccount:<ns>:<name>`, audience api://AzureADTokenExchange), signatures checked
   * against the issuer's published keys. Creates the app if it is new (no secret: federation only).
   */
  federateServiceAccount(input: { clientId: string; issuer: string; namespace: string; serviceAccountName: string }): void;
  subscribe(url: string): void;
  unsubscribe(url: string): void;
  /** While true, new events are logged as `dropped` and not sent. */
  dropEvents(drop: boolean): void;
  /** Every delivery so far (newest 10,000), one per event and subscriber. */
  readonly deliveries: readonly DeliveryRecord[];
  waitForDeliveries(): Promise<readonly DeliveryRecord[]>;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };

export async function startKeyVaultEmulator(options: KeyVaultEmulatorOptions): Promise<KeyVaultEmulator> {
  const resolved = resolveOptions(options);
  const clock = options.clock ?? systemClock;
  const tls = issueLoopbackServerCert(options.ca);
  const stats = new RequestStats();
  const faults = new FaultInjector();
  const clients = new ClientRegistry(clock);
  clients.addSecret(resolved.clientId, resolved.clientSecret);
  const publisher = new EventPublisher({ post: loopbackPoster(options.ca.certPem), ...options.eventDelivery });
  for (const url of options.eventSubscribers ?? []) publisher.subscribe(url);
  const resourceId = (vault: string) =>
    `/subscriptions/${resolved.subscriptionId}/resourceGroups/${resolved.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault}`;
  const access = new Map<string, ReadonlySet<string>>();
  const objectAccess = new ObjectAccess();
  const issuerTrust = new OidcIssuerTrust();

  const signer = await TokenSigner.create(clock);
  const listeners: Listener[] = [];
  let authority: TokenIssuer | undefined;
  const states = new Map<string, VaultState>();
  const urls = new Map<string, string>();
  try {
    const issuer = await startTokenIssuer({ tls, tenantId: resolved.tenantId, clients, signer, stats, faults, clock, tokenLifetimeSeconds: options.tokenLifetimeSeconds });
    listeners.push(issuer);
    authority = issuer;
    for (const vault of resolved.vaults) {
      const state = createVaultState({
        nowSeconds: () => Math.floor(clock.now() / 1000),
        newVersionId: () => randomBytes(16).toString('hex'),
        onNewVersion: (created: NewVersion) =>
          publisher.publish(newVersionEvent({ id: randomUUID(), vault, resourceId: resourceId(vault), eventTime: new Date(clock.now()).toISOString(), created })),
      });
      const auth = { signer, issuers: () => issuer.issuers, authority: () => `${issuer.url}/${resolved.tenantId}`, allowedClients: () => access.get(vault),
        objectAllowed: (clientId: string, objectName: string | undefined) => objectAccess.allows(clientId, vault, objectName) };
      const listener = await startVaultServer({ vault, state, tls, stats, faults, auth });
      listeners.push(listener);
      states.set(vault, state);
      urls.set(vault, listener.url);
    }
  } catch (error) {
    await Promise.allSettled(listeners.map((l) => l.close()));
    throw error;
  }

  const known = (vault: string): string => {
    const key = vault.toLowerCase();
    if (!states.has(key)) throw new Error(`Unknown vault '${vault}': this emulator serves ${resolved.vaults.join(', ')}`);
    return key;
  };
  const stateOf = (vault: string) => states.get(known(vault)) as VaultState;

  return {
    vaultUrl: (vault) => urls.get(known(vault)) as string,
    resourceId: (vault) => resourceId(known(vault)),
    authorityHost: (listeners[0] as Listener).url,
    tenantId: resolved.tenantId,
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    registerFederatedCredential: (fc) => clients.addFederatedCredential(fc),
    serveAuthorityAs: async (hostName, address, port = 443) =>
      (await (authority as TokenIssuer).serveAs({ hostName, address, port, tls: issueCertificate(options.ca, { hosts: [hostName] }) })).url,
    registerClient: (credentials = {}) => {
      const app = resolveClient(credentials);
      clients.addSecret(app.clientId, app.clientSecret);
      return { clientId: app.clientId, clientSecret: app.clientSecret };
    },
    requestCount: (filter) => stats.requestCount(filter),
    counters: () => stats.counters(),
    countersByClient: () => stats.countersByClient(),
    resetCounters: () => stats.reset(),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setSecret: (vault, name, value, opts = {}) => ({ version: stateOf(vault).secrets.set(name, { value, ...opts }).record.version }),
    updateSecret: (vault, name, { version, ...patch }) => void stateOf(vault).secrets.update(name, version, patch),
    deleteSecret: (vault, name) => void stateOf(vault).secrets.delete(name),
    recoverSecret: (vault, name) => void stateOf(vault).secrets.recover(name),
    importCertificate: (vault, name, input) => ({ version: stateOf(vault).certificates.import(name, input).record.version }),
    updateCertificate: (vault, name, { version, ...patch }) => void stateOf(vault).certificates.update(name, version, patch),
    createKey: (vault, name, input) => ({ version: stateOf(vault).keys.create(name, input).record.version }),
    updateKey: (vault, name, { version, ...patch }) => void stateOf(vault).keys.update(name, version, patch),
    restrictAccess: (vault, clientIds) => {
      if (clientIds === undefined) access.delete(known(vault));
      else access.set(known(vault), new Set(clientIds.map((c) => c.toLowerCase())));
    },
    restrictObjects: (clientId, rules) => objectAccess.restrict(clientId, rules),
    trustOidcIssuer: async (issuer) => void (await issuerTrust.trust(issuer)),
    federateServiceAccount: ({ clientId, issuer, namespace, serviceAccountName }) =>
      clients.addFederatedCredential({ clientId, issuer, subject: `system:serviceaccount:${namespace}:${serviceAccountName}`, jwksUri: issuerTrust.get(issuer).jwksUri }),
    subscribe: (url) => publisher.subscribe(url),
    unsubscribe: (url) => publisher.unsubscribe(url),
    dropEvents: (drop) => publisher.dropEvents(drop),
    get deliveries() {
      return publisher.deliveries();
    },
    waitForDeliveries: () => publisher.waitForDeliveries(),
    close: async () => {
      await publisher.close();
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
