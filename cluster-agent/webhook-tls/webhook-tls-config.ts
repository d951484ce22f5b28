/**
 * Where the webhook's serving certificate comes from (AKVSYNC_WEBHOOK_TLS_*; docs/agent.md):
 * - `agent`: the agent makes and rotates its own CA and certificate in a Secret of its namespace and keeps the caBundle
 *   of its MutatingWebhookConfiguration current (the default without AKVSYNC_WEBHOOK_TLS_CERT_FILE);
 * - `files`: a mounted certificate and key (cert-manager, or your own), re-read on change; the caBundle is not touched.
 */
import type { RotationSettings } from '../../core/webhook-tls/rotation-plan.js';
import { ConfigError, parseDuration } from '../config-values.js';

export type WebhookTlsConfig =
  | { readonly mode: 'files'; readonly certPem: string; readonly keyPem: string; readonly certFile: string; readonly keyFile: string }
  | {
    readonly mode: 'agent';
    /** AKVSYNC_WEBHOOK_TLS_SECRET in the agent's namespace. */
    readonly secretName: string;
    /** AKVSYNC_WEBHOOK_CONFIGURATION: the MutatingWebhookConfiguration whose caBundle the leader keeps; undefined: none. */
    readonly webhookConfiguration: string | undefined;
    /** AKVSYNC_WEBHOOK_SERVICE: the certificate names <service>.<namespace>.svc and .svc.cluster.local. */
    readonly service: string | undefined;
    /** AKVSYNC_WEBHOOK_CERT_HOSTS: more DNS names or IPs. */
    readonly extraHosts: readonly string[];
    readonly rotation: RotationSettings;
  };

export const DEFAULT_WEBHOOK_TLS_SECRET = 'akvsync-webhook-tls';
const HOUR = 3_600_000;

export function loadWebhookTlsConfig(get: (name: string) => string | undefined, file: (name: string) => string | undefined): WebhookTlsConfig {
  const mode = get('AKVSYNC_WEBHOOK_TLS_MODE') ?? (get('AKVSYNC_WEBHOOK_TLS_CERT_FILE') !== undefined ? 'files' : 'agent');
  if (mode === 'files') {
    const certFile = get('AKVSYNC_WEBHOOK_TLS_CERT_FILE');
    const keyFile = get('AKVSYNC_WEBHOOK_TLS_KEY_FILE');
    if (certFile === undefined) throw new ConfigError('AKVSYNC_WEBHOOK_TLS_CERT_FILE', 'is required with AKVSYNC_WEBHOOK_TLS_MODE=files');
    if (keyFile === undefined) throw new ConfigError('AKVSYNC_WEBHOOK_TLS_KEY_FILE', 'is required with AKVSYNC_WEBHOOK_TLS_MODE=files');
    const certPem = file('AKVSYNC_WEBHOOK_TLS_CERT_FILE') ?? '';
    const keyPem = file('AKVSYNC_WEBHOOK_TLS_KEY_FILE') ?? '';
    if (!certPem.includes('BEGIN CERTIFICATE')) throw new ConfigError('AKVSYNC_WEBHOOK_TLS_CERT_FILE', 'is not a PEM certificate');
    if (!/BEGIN [A-Z ]*PRIVATE KEY/.test(keyPem)) throw new ConfigError('AKVSYNC_WEBHOOK_TLS_KEY_FILE', 'is not a PEM private key');
    return { mode, certPem, keyPem, certFile, keyFile };
  }
  if (mode !== 'agent') throw new ConfigError('AKVSYNC_WEBHOOK_TLS_MODE', 'must be agent or files');
  const service = get('AKVSYNC_WEBHOOK_SERVICE');
  const extraHosts = (get('AKVSYNC_WEBHOOK_CERT_HOSTS') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (service === undefined && extraHosts.length === 0) {
    throw new ConfigError('AKVSYNC_WEBHOOK_SERVICE', 'is required with AKVSYNC_WEBHOOK_TLS_MODE=agent (or AKVSYNC_WEBHOOK_CERT_HOSTS): the names the certificate is for');
  }
  const caValidityMs = parseDuration('AKVSYNC_WEBHOOK_CA_VALIDITY', get('AKVSYNC_WEBHOOK_CA_VALIDITY'), 5 * 8760 * HOUR, 60_000);
  const servingValidityMs = parseDuration('AKVSYNC_WEBHOOK_CERT_VALIDITY', get('AKVSYNC_WEBHOOK_CERT_VALIDITY'), 8760 * HOUR, 60_000);
  const overlapMs = parseDuration('AKVSYNC_WEBHOOK_ROTATION_OVERLAP', get('AKVSYNC_WEBHOOK_ROTATION_OVERLAP'), 15 * 60_000, 0);
  if (overlapMs * 3 > caValidityMs) throw new ConfigError('AKVSYNC_WEBHOOK_ROTATION_OVERLAP', 'must be under a third of AKVSYNC_WEBHOOK_CA_VALIDITY (a rotation must finish before the CA expires)');
  return {
    mode, secretName: get('AKVSYNC_WEBHOOK_TLS_SECRET') ?? DEFAULT_WEBHOOK_TLS_SECRET, webhookConfiguration: get('AKVSYNC_WEBHOOK_CONFIGURATION') || undefined,
    service, extraHosts, rotation: { caValidityMs, servingValidityMs, overlapMs, renewFraction: 1 / 3 },
  };
}
