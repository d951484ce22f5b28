/**
 * The leader's rotator over an in-memory Secret API (resourceVersion and 409 as the apiserver does them) and a
 * recording caBundle patcher: a whole life — create, serving renewal, CA rotation with overlap (stage, switch only
 * once the configuration trusts the new CA, drop at expiry) — with real certificates, a write conflict re-planned,
 * and no key material in any log line.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { X509Certificate } from 'node:crypto';
import { pino } from 'pino';
import type { CaBundlePatcher } from '../../../../cluster-agent/webhook-tls/ca-bundle-patcher.js';
import { certificatesOf, webhookTlsFacts } from '../../../../cluster-agent/webhook-tls/webhook-tls-material.js';
import { WebhookTlsRotator } from '../../../../cluster-agent/webhook-tls/webhook-tls-rotator.js';
import { WebhookTlsSecret, storedWebhookTls, type WebhookTlsSecretApi } from '../../../../cluster-agent/webhook-tls/webhook-tls-secret.js';
import { isIssuedBy } from '../../../../core/certificates/order-chain.js';

const S = 1000;
const settings = { caValidityMs: 3000 * S, servingValidityMs: 300 * S, overlapMs: 60 * S, renewFraction: 1 / 3 };
const hosts = ['hook.ns.svc', 'hook.ns.svc.cluster.local'];

/** One Secret with resourceVersions; `conflictOnce` makes the next replace fail with 409 after someone else's write. */
class InMemorySecrets {
  secret: V1Secret | undefined;
  version = 0;
  conflictOnce = false;
  readonly api: WebhookTlsSecretApi = {
    readNamespacedSecret: async () => {
      if (!this.secret) throw Object.assign(new Error('not found'), { code: 404 });
      return structuredClone(this.secret);
    },
    createNamespacedSecret: async ({ body }: { body: V1Secret }) => {
      if (this.secret) throw Object.assign(new Error('exists'), { code: 409 });
      this.secret = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
      return this.secret;
    },
    replaceNamespacedSecret: async ({ body }: { body: V1Secret }) => {
      if (this.conflictOnce) {
        this.conflictOnce = false;
        this.secret = { ...this.secret, metadata: { ...this.secret?.metadata, resourceVersion: String(++this.version) } };
      }
      if (body.metadata?.resourceVersion !== this.secret?.metadata?.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
      this.secret = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
      return this.secret;
    },
  } as unknown as WebhookTlsSecretApi;
}

describe('WebhookTlsRotator', () => {
  let now = Date.UTC(2026, 0, 1);
  const secrets = new InMemorySecrets();
  const patched: string[] = [];
  let refusePatch = false;
  const caBundle: CaBundlePatcher = {
    name: 'akvsync-env-injection',
    ensure: async (pem) => {
      if (refusePatch) throw Object.assign(new Error('forbidden'), { code: 403 });
      if (patched.at(-1) === pem) return 'unchanged';
      patched.push(pem);
      return 'patched';
    },
  };
  const logs: string[] = [];
  const rotator = new WebhookTlsRotator({
    secret: new WebhookTlsSecret(secrets.api, 'akvsync', 'akvsync-webhook-tls'), caBundle, hosts, settings,
    scheduler: { now: () => now, schedule: () => () => undefined }, logger: pino({ level: 'info' }, { write: (l: string) => void logs.push(l) }),
  });
  const material = () => storedWebhookTls(secrets.secret!).material;
  const cas = (): X509Certificate[] => certificatesOf(material().caBundlePem);
  const leaf = (): X509Certificate => certificatesOf(material().certPem)[0]!;
  const at = async (seconds: number) => {
    now = Date.UTC(2026, 0, 1) + seconds * S;
    return (await rotator.reconcileOnce()).actions;
  };

  it('lives through renewals and a CA rotation with overlap, never serving a certificate the configuration does not trust', async () => {
    expect(await at(0)).toEqual(['create']);
    expect(cas()).toHaveLength(1);
    expect(isIssuedBy(leaf(), cas()[0]!)).toBe(true);
    expect(leaf().subjectAltName).toBe('DNS:hook.ns.svc, DNS:hook.ns.svc.cluster.local');
    expect(patched).toEqual([material().caBundlePem]);
    expect(await at(10)).toEqual([]);

    const first = leaf().fingerprint256;
    expect(await at(200)).toEqual(['switch-serving']); // two thirds of 300 s
    expect(leaf().fingerprint256).not.toBe(first);

    // the CA at two thirds of its 3000 s: staged beside the old one, serving certificate unchanged
    const oldCa = cas()[0]!;
    await at(1950); // the serving certificate renewed on the way
    const servingBefore = leaf().fingerprint256;
    expect(await at(2000)).toEqual(['stage-ca']);
    expect(cas().map((c) => c.fingerprint256)).toEqual([expect.any(String), oldCa.fingerprint256]);
    expect(leaf().fingerprint256).toBe(servingBefore);
    expect(isIssuedBy(leaf(), oldCa)).toBe(true);
    expect(patched.at(-1)).toBe(material().caBundlePem); // both CAs trusted before anything switches

    expect(await at(2030)).toEqual([]); // within the overlap
    // the caBundle cannot be written (say RBAC): the pass fails and the serving certificate does not switch
    refusePatch = true;
    await expect(at(2061)).rejects.toThrow('forbidden');
    expect(leaf().fingerprint256).toBe(servingBefore);
    refusePatch = false;
    expect(await at(2061)).toEqual(['switch-serving']);
    expect(isIssuedBy(leaf(), cas()[0]!)).toBe(true);
    expect(cas()).toHaveLength(2); // the old CA stays until it expires (pods admitted earlier trust only it)
    expect(await at(3001)).toContain('drop-cas');
    expect(cas().map((c) => c.fingerprint256)).not.toContain(oldCa.fingerprint256);
    expect(patched.at(-1)).toBe(material().caBundlePem);
  });

  it('re-plans after a write conflict instead of overwriting the other write', async () => {
    secrets.conflictOnce = true;
    expect(await at(3001 + 250)).toEqual(['switch-serving']);
    expect(webhookTlsFacts(material()).serving?.issuer).toBe(cas()[0]!.fingerprint256);
    expect(logs.some((l) => l.includes('changed meanwhile'))).toBe(true);
  });

  it('logs actions and reasons, never a certificate or key', () => {
    expect(logs.length).toBeGreaterThan(5);
    for (const line of logs) expect(line).not.toMatch(/BEGIN|PRIVATE|MII/);
  });
});
