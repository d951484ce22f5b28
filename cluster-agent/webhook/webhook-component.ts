/**
 * The env-injection webhook as an every-replica component of the agent's manager: its own HTTPS listener
 * (AKVSYNC_WEBHOOK_PORT, never the notify port) serving `/mutate`, env-exec's `/v1/env` and file mode's `/v1/env/watch`, PodAdmission over the apiserver reads, the image-config resolver
 * (pull secrets; the agent's workload identity for ACR) and the tenancy gate; outcomes and latency on the agent's
 * metrics.
 */
import type { TokenCredential } from '@azure/identity';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Server } from 'node:https';
import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { TransientError } from '../../core/errors.js';
import type { InjectionSettings } from '../../core/injection/injection-settings.js';
import type { ReloadTarget } from '../adapters/file-reloader.js';
import { serverComponent, type ServerComponent } from '../http/server-component.js';
import { ImageConfigResolver } from '../image-config/image-config-resolver.js';
import type { AgentMetrics } from '../metrics.js';
import { tlsReloadTarget } from '../reload-targets.js';
import type { AccessSplit } from '../tenancy/access-gate.js';
import { kubeNamespaceLabels } from '../tenancy/namespace-labels.js';
import { systemScheduler } from '../ports/scheduler.js';
import { AkvsVersionWatch } from './akvs-version-watch.js';
import { clusterAdmissionLookups } from './cluster-admission-lookups.js';
import { EnvValues } from './env-values.js';
import { kubeTokenReview } from './kube-token-review.js';
import { PodAdmission } from './pod-admission.js';
import type { WebhookConfig } from './webhook-config.js';
import { createWebhookServer } from './webhook-server.js';

export interface WebhookComponentDeps {
  readonly config: WebhookConfig;
  readonly kubeConfig: KubeConfig;
  /** The agent's own namespace (never mutated) and Key Vault URLs (for workload-identity mode). */
  readonly settings: Pick<InjectionSettings, 'agentNamespace' | 'vaultUrlTemplate' | 'vaultUrls'>;
  readonly access: { split(crs: readonly AzureKeyVaultSecret[]): Promise<AccessSplit> };
  /** The agent's identity, for the ACR token exchange; undefined: pull secrets and anonymous only. */
  readonly credential?: TokenCredential;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  /** AKVSYNC_WATCH_NAMESPACES (empty: all): a namespace outside the list counts as not opted in, and is never read. */
  readonly watchNamespaces?: readonly string[];
}

export interface WebhookComponent extends ServerComponent {
  /** Its certificate and key re-read from AKVSYNC_WEBHOOK_TLS_*_FILE on change (the agent's FileReloader). */
  readonly tlsReload: ReloadTarget;
}

const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

export async function webhookComponent(deps: WebhookComponentDeps): Promise<WebhookComponent> {
  const { config, credential } = deps;
  const resolver = new ImageConfigResolver({
    timeoutMs: config.registry.timeoutMs,
    mirrors: config.registry.mirrors,
    extraCaPem: config.registry.extraCaPem,
    ...(credential ? { entraToken: async () => {
      const token = await credential.getToken(ACR_SCOPE);
      if (!token) throw new TransientError('EntraTokenUnavailable', 'no Entra token for Azure Container Registry');
      return token.token;
    } } : {}),
  });
  const lookups = clusterAdmissionLookups(deps.kubeConfig);
  const readLabels = kubeNamespaceLabels(deps.kubeConfig);
  const watched = new Set(deps.watchNamespaces ?? []);
  // The agent's rights name the watched namespaces only: another namespace has, for injection, no opt-in label.
  const namespaceLabels = watched.size === 0 ? readLabels : async (ns: string) => (watched.has(ns) ? readLabels(ns) : {});
  const admission = new PodAdmission({
    settings: { ...config.injection, ...deps.settings },
    namespaceLabels,
    akvsNamed: (ns, names) => lookups.akvsNamed(ns, names),
    pullSecrets: (ns, pod) => lookups.pullSecrets(ns, pod),
    resolveImage: (request) => resolver.resolve(request),
    access: deps.access,
    commandFailurePolicy: config.commandFailurePolicy,
  });
  const versionWatch = new AkvsVersionWatch({ kubeConfig: deps.kubeConfig, scheduler: systemScheduler, logger: deps.logger });
  const envValues = new EnvValues({
    settings: { ...config.injection, ...deps.settings },
    namespaceLabels,
    reviewToken: kubeTokenReview(deps.kubeConfig),
    readPod: (ns, name) => lookups.readPod(ns, name),
    akvsNamed: (ns, names) => lookups.akvsNamed(ns, names),
    access: deps.access,
    versionWatch,
  });
  const app = await createWebhookServer({
    tls: config.tls, admission, envValues, maxBodyBytes: config.maxBodyBytes, logger: deps.logger,
    observe: (outcome, seconds) => {
      deps.metrics.admissions.inc({ outcome });
      deps.metrics.admissionDuration.observe({ outcome }, seconds);
    },
  });
  // Long polls of file mode's refresh are answered "unchanged" before the server waits for in-flight requests.
  app.addHook('preClose', async () => versionWatch.stop());
  const tlsReload = tlsReloadTarget(app.server as Server, config.tls.certFile, config.tls.keyFile, undefined, 'AKVSYNC_WEBHOOK_TLS_CERT_FILE/AKVSYNC_WEBHOOK_TLS_KEY_FILE');
  return { ...serverComponent('webhook-server', app, config.host, config.port), tlsReload };
}
