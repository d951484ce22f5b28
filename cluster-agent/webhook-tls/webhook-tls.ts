/**
 * The webhook's TLS as its server uses it, for either source (webhook-tls-config.ts): the pair to start with, and
 * what keeps it current once the server exists — the FileReloader target (files), or the Secret watch on every
 * replica plus the leader's rotator (agent). In agent mode the first pair comes from the shared Secret, created here
 * when absent (create-if-absent: replicas starting together agree on the one the apiserver accepted first); every
 * later write is the leader's.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Server } from 'node:https';
import type { Logger } from 'pino';
import type { ReloadTarget } from '../adapters/file-reloader.js';
import type { Component } from '../manager/component.js';
import type { RotationSettings } from '../../core/webhook-tls/rotation-plan.js';
import type { Scheduler } from '../ports/scheduler.js';
import { applyTlsPair, tlsReloadTarget } from '../reload-targets.js';
import { kubeCaBundlePatcher, webhookConfigurationWatch } from './ca-bundle-patcher.js';
import type { WebhookTlsConfig } from './webhook-tls-config.js';
import { applyRotation, webhookTlsFacts, type WebhookTlsMaterial } from './webhook-tls-material.js';
import { WebhookTlsRotator } from './webhook-tls-rotator.js';
import { WebhookTlsSecret } from './webhook-tls-secret.js';
import { WebhookTlsWatch } from './webhook-tls-watch.js';

export interface WebhookTlsDeps {
  readonly kubeConfig: KubeConfig;
  /** The agent's namespace: the Secret lives there, and the certificate names <service>.<namespace>.svc. */
  readonly namespace: string;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

export interface WebhookTls {
  readonly initial: { readonly certPem: string; readonly keyPem: string };
  /** The CA bundle that currently signs the webhook's certificate (agent mode); undefined with files. */
  caBundlePem(): string | undefined;
  /** Once the server exists: what keeps its certificate current. */
  attach(server: Server): { readonly reloadTargets: ReloadTarget[]; readonly components: Component[] };
}

export function webhookHosts(config: Extract<WebhookTlsConfig, { mode: 'agent' }>, namespace: string): string[] {
  const service = config.service === undefined ? [] : [`${config.service}.${namespace}.svc`, `${config.service}.${namespace}.svc.cluster.local`];
  return [...service, ...config.extraHosts];
}

export async function webhookTls(config: WebhookTlsConfig, deps: WebhookTlsDeps): Promise<WebhookTls> {
  if (config.mode === 'files') {
    return {
      initial: config, caBundlePem: () => undefined,
      attach: (server) => ({
        reloadTargets: [tlsReloadTarget(server, config.certFile, config.keyFile, undefined, 'AKVSYNC_WEBHOOK_TLS_CERT_FILE/AKVSYNC_WEBHOOK_TLS_KEY_FILE')],
        components: [],
      }),
    };
  }
  const { kubeConfig, namespace, scheduler, logger } = deps;
  const secret = new WebhookTlsSecret(kubeConfig.makeApiClient(CoreV1Api), namespace, config.secretName);
  const hosts = webhookHosts(config, namespace);
  let material = await firstMaterial(secret, { hosts, settings: config.rotation, nowMs: scheduler.now() }, logger);
  const rotator = new WebhookTlsRotator({
    secret, hosts, settings: config.rotation, scheduler, logger,
    caBundle: config.webhookConfiguration === undefined ? undefined : kubeCaBundlePatcher(kubeConfig, config.webhookConfiguration),
  });
  return {
    initial: usablePair(material, scheduler.now()) ?? await throwawayPair(hosts, config.rotation, scheduler.now(), logger),
    caBundlePem: () => material.caBundlePem,
    attach: (server) => ({
      reloadTargets: [],
      components: [
        new WebhookTlsWatch({
          kubeConfig, namespace, name: config.secretName, scheduler, logger,
          serve: (cert, key) => applyTlsPair(server, cert, key),
          onChange: (changed) => {
            material = changed;
            rotator.trigger();
          },
          onDeleted: () => rotator.trigger(),
        }, material),
        rotator,
        ...(config.webhookConfiguration === undefined ? [] : [webhookConfigurationWatch(kubeConfig, config.webhookConfiguration, () => rotator.trigger(), scheduler, logger)]),
      ],
    }),
  };
}

async function firstMaterial(secret: WebhookTlsSecret, ctx: Parameters<typeof applyRotation>[2], logger: Logger): Promise<WebhookTlsMaterial> {
  const stored = await secret.read();
  if (stored) return stored.material;
  const created = await applyRotation(undefined, { action: 'create' }, ctx);
  if (await secret.create(created)) {
    logger.info({ secret: `${secret.namespace}/${secret.name}` }, 'webhook CA and certificate created');
    return created;
  }
  const winner = await secret.read();
  return winner?.material ?? created;
}

/** The stored pair when it loads and a bundle CA issued it; else undefined (the leader repairs the Secret). */
function usablePair(m: WebhookTlsMaterial, nowMs: number): { certPem: string; keyPem: string } | undefined {
  const serving = webhookTlsFacts(m).serving;
  return serving?.issuer !== undefined && nowMs < serving.notAfterMs ? { certPem: m.certPem, keyPem: m.keyPem } : undefined;
}

/** A pair nobody trusts, so the listener can start while the leader repairs the Secret (the watch then serves the real one). */
async function throwawayPair(hosts: readonly string[], settings: RotationSettings, nowMs: number, logger: Logger): Promise<{ certPem: string; keyPem: string }> {
  logger.warn('the webhook-TLS Secret holds no usable serving certificate; serving a temporary one until the leader repairs it');
  const m = await applyRotation(undefined, { action: 'create' }, { hosts, settings, nowMs });
  return { certPem: m.certPem, keyPem: m.keyPem };
}

/** `settings` whose extraCaPem, when it sets none, is the CA bundle the agent currently serves with (read at each use). */
export function withServedCa<T extends { readonly extraCaPem?: string }>(settings: T, tls: Pick<WebhookTls, 'caBundlePem'>): T {
  if (settings.extraCaPem !== undefined || tls.caBundlePem() === undefined) return settings;
  return Object.defineProperty({ ...settings }, 'extraCaPem', { get: () => tls.caBundlePem(), enumerable: true });
}
