/**
 * The webhook's certificates as the shared Secret holds them (`ca.crt` the CA bundle, newest first; `ca.key` the key
 * of the newest CA; `tls.crt`/`tls.key` the serving pair), read into value-free facts for planRotation, and changed
 * as a plan says. Nothing here logs; errors never carry key material.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { TerminalError } from '../../core/errors.js';
import { isIssuedBy } from '../../core/certificates/order-chain.js';
import { pemBlocks, toPem } from '../../core/certificates/pem.js';
import { BACKDATE_MS } from '../../core/webhook-tls/rotation-plan.js';
import type { CertificateFacts, RotationPlan, RotationSettings, WebhookTlsFacts } from '../../core/webhook-tls/rotation-plan.js';
import { issueServingCertificate, issueWebhookCa } from './webhook-certificates.js';

export interface WebhookTlsMaterial {
  readonly caBundlePem: string;
  readonly caKeyPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** The Secret's data keys. */
export const MATERIAL_KEYS = { caBundlePem: 'ca.crt', caKeyPem: 'ca.key', certPem: 'tls.crt', keyPem: 'tls.key' } as const satisfies Record<keyof WebhookTlsMaterial, string>;

export function certificatesOf(pem: string): X509Certificate[] {
  return pemBlocks(pem).filter((b) => b.label === 'CERTIFICATE').flatMap((b) => {
    try {
      return [new X509Certificate(b.der)];
    } catch {
      return [];
    }
  });
}

const keyOf = (pem: string): KeyObject | undefined => {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
};

const factsOf = (c: X509Certificate): CertificateFacts => ({
  fingerprint: c.fingerprint256, issuedAtMs: c.validFromDate.getTime() + BACKDATE_MS, notAfterMs: c.validToDate.getTime(),
});

const hostsOf = (c: X509Certificate): string[] =>
  (c.subjectAltName ?? '').split(', ').flatMap((entry) => {
    const m = /^(DNS|IP Address):(.+)$/.exec(entry);
    return m?.[2] ? [m[2]] : [];
  });

export function webhookTlsFacts(m: WebhookTlsMaterial): WebhookTlsFacts {
  const cas = certificatesOf(m.caBundlePem);
  const caKey = keyOf(m.caKeyPem);
  // Only an EC P-256 key is used for signing (what issueWebhookCa makes); anything else is replaced by a new CA.
  const usableCaKey = caKey?.asymmetricKeyType === 'ec' && caKey.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? caKey : undefined;
  const signing = usableCaKey ? cas.find((c) => c.checkPrivateKey(usableCaKey)) : undefined;
  const [leaf] = certificatesOf(m.certPem);
  const leafKey = keyOf(m.keyPem);
  const serving = leaf && leafKey && leaf.checkPrivateKey(leafKey)
    ? { ...factsOf(leaf), issuer: cas.find((ca) => isIssuedBy(leaf, ca))?.fingerprint256, hosts: hostsOf(leaf) }
    : undefined;
  return { cas: cas.map(factsOf), signingCa: signing?.fingerprint256, serving };
}

export interface RotationContext {
  readonly hosts: readonly string[];
  readonly settings: RotationSettings;
  readonly nowMs: number;
}

/** The material after `plan` (not 'none'). */
export async function applyRotation(current: WebhookTlsMaterial | undefined, plan: Exclude<RotationPlan, { action: 'none' }>, ctx: RotationContext): Promise<WebhookTlsMaterial> {
  const { hosts, settings, nowMs } = ctx;
  const serving = (ca: { certPem: string; keyPem: string }): Promise<{ certPem: string; keyPem: string }> => issueServingCertificate(ca, hosts, nowMs, settings.servingValidityMs);
  if (plan.action === 'create' || current === undefined) {
    const ca = await issueWebhookCa(nowMs, settings.caValidityMs);
    return { caBundlePem: ca.certPem, caKeyPem: ca.keyPem, ...(await serving(ca)) };
  }
  const bundle = certificatesOf(current.caBundlePem);
  switch (plan.action) {
    case 'stage-ca': {
      const ca = await issueWebhookCa(nowMs, settings.caValidityMs);
      // Unexpired old CAs stay trusted: replicas still serve a certificate one of them issued.
      const kept = bundle.filter((c) => c.validToDate.getTime() > nowMs).map((c) => toPem('CERTIFICATE', c.raw));
      return { ...current, caBundlePem: [ca.certPem, ...kept].join(''), caKeyPem: ca.keyPem };
    }
    case 'switch-serving': {
      const signing = bundle.find((c) => {
        const key = keyOf(current.caKeyPem);
        return key !== undefined && c.checkPrivateKey(key);
      });
      if (!signing) throw new TerminalError('WebhookCaKeyMismatch', 'no CA of the bundle matches the CA key'); // planRotation stages a CA first
      return { ...current, ...(await serving({ certPem: toPem('CERTIFICATE', signing.raw), keyPem: current.caKeyPem })) };
    }
    case 'drop-cas':
      return { ...current, caBundlePem: bundle.filter((c) => plan.keep.includes(c.fingerprint256)).map((c) => toPem('CERTIFICATE', c.raw)).join('') };
  }
}
