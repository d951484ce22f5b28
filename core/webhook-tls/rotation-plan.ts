/**
 * What the leader does next with the webhook's certificates (docs/env-injection.md "Webhook TLS"): pure, from what the
 * shared Secret holds (as facts, no key material), what the MutatingWebhookConfiguration trusts, and the time.
 *
 * A CA rotation never drops an admission: a new CA is first *staged* (put in the bundle beside the old one, serving
 * certificate unchanged), the serving certificate *switches* to it only after `overlapMs` and once the webhook
 * configuration's caBundle holds it, and an old CA leaves the bundle when it expires — or, when a forced rotation
 * retired it, `overlapMs` after the switch (every replica has reloaded by then).
 */

/** Certificates are dated this much before they are issued (clock skew between the agent and the apiservers). */
export const BACKDATE_MS = 5 * 60_000;

export interface CertificateFacts {
  /** sha256 fingerprint of the DER. */
  readonly fingerprint: string;
  /** notBefore + BACKDATE_MS: when it was issued. */
  readonly issuedAtMs: number;
  readonly notAfterMs: number;
}

export interface ServingFacts extends CertificateFacts {
  /** Fingerprint of the bundle CA that signed it; undefined when none did. */
  readonly issuer: string | undefined;
  /** Its DNS names and IP addresses. */
  readonly hosts: readonly string[];
}

/** The Secret as facts. */
export interface WebhookTlsFacts {
  /** The CA bundle (ca.crt), newest first. */
  readonly cas: readonly CertificateFacts[];
  /** Fingerprint of the bundle CA whose key is ca.key; undefined when the key is missing or matches none. */
  readonly signingCa: string | undefined;
  /** tls.crt/tls.key; undefined when missing or not a pair. */
  readonly serving: ServingFacts | undefined;
}

export interface RotationSettings {
  readonly caValidityMs: number;
  readonly servingValidityMs: number;
  /** Wait between staging a CA and switching to it, and between a switch and dropping a retired CA. */
  readonly overlapMs: number;
  /** Renew when less than this fraction of a certificate's lifetime is left (1/3: at two thirds, as kubelet and cert-manager). */
  readonly renewFraction: number;
}

export interface RotationInput {
  /** undefined: the Secret does not exist. */
  readonly facts: WebhookTlsFacts | undefined;
  /** DNS names and IPs the serving certificate must carry. */
  readonly hosts: readonly string[];
  readonly settings: RotationSettings;
  readonly nowMs: number;
  /** CAs issued before this time are retired (annotation akvsync.io/rotate-ca-before: a forced rotation). */
  readonly rotateCaBeforeMs?: number | undefined;
  /** Fingerprints the webhook configuration trusts; undefined when there is no configuration to wait for. */
  readonly webhookTrusts?: readonly string[] | undefined;
}

export type RotationPlan =
  | { readonly action: 'create' }
  | { readonly action: 'stage-ca'; readonly reason: string }
  | { readonly action: 'switch-serving'; readonly reason: string }
  | { readonly action: 'drop-cas'; readonly keep: readonly string[]; readonly reason: string }
  | { readonly action: 'none'; readonly nextCheckAtMs: number };

const renewAt = (c: CertificateFacts, fraction: number): number => c.notAfterMs - fraction * (c.notAfterMs - c.issuedAtMs);

export function planRotation(input: RotationInput): RotationPlan {
  const { facts, settings, nowMs } = input;
  if (facts === undefined) return { action: 'create' };
  const signing = facts.cas.find((c) => c.fingerprint === facts.signingCa);
  if (signing === undefined) return { action: 'stage-ca', reason: 'the CA key is missing or matches no CA of the bundle' };
  const serving = facts.serving;
  // Compared at whole seconds, the precision of a certificate's dates: a CA staged in the request's second is not retired again.
  const retireBefore = input.rotateCaBeforeMs === undefined ? undefined : Math.floor(input.rotateCaBeforeMs / 1000) * 1000;
  const retired = (c: CertificateFacts): boolean => retireBefore !== undefined && c.issuedAtMs < retireBefore;
  const inFlight = serving !== undefined && serving.issuer !== signing.fingerprint && facts.cas.some((c) => c.fingerprint === serving.issuer);

  if (!inFlight) {
    if (nowMs >= renewAt(signing, settings.renewFraction)) return { action: 'stage-ca', reason: 'the CA is due for renewal' };
    if (retired(signing)) return { action: 'stage-ca', reason: 'a rotation was requested (akvsync.io/rotate-ca-before)' };
  }
  if (serving === undefined) return { action: 'switch-serving', reason: 'the serving certificate is missing or does not match its key' };
  if (serving.issuer === undefined) return { action: 'switch-serving', reason: 'the serving certificate was not issued by a CA of the bundle' };
  if (nowMs >= serving.notAfterMs) return { action: 'switch-serving', reason: 'the serving certificate has expired' };

  const checks: number[] = [renewAt(signing, settings.renewFraction)];
  if (inFlight) {
    const switchAt = signing.issuedAtMs + settings.overlapMs;
    const trusted = input.webhookTrusts === undefined || input.webhookTrusts.includes(signing.fingerprint);
    if (nowMs >= switchAt && trusted) return { action: 'switch-serving', reason: 'the new CA has been trusted for the overlap' };
    return { action: 'none', nextCheckAtMs: Math.max(switchAt, nowMs + 1000) };
  }
  if (!sameHosts(serving.hosts, input.hosts)) return { action: 'switch-serving', reason: 'the serving certificate names other hosts' };
  if (nowMs >= renewAt(serving, settings.renewFraction)) return { action: 'switch-serving', reason: 'the serving certificate is due for renewal' };
  checks.push(renewAt(serving, settings.renewFraction));

  const dropAfterSwitch = serving.issuedAtMs + settings.overlapMs;
  const keep = facts.cas.filter((c) => c === signing || (nowMs < c.notAfterMs && !(retired(c) && nowMs >= dropAfterSwitch)));
  if (keep.length < facts.cas.length) {
    return { action: 'drop-cas', keep: keep.map((c) => c.fingerprint), reason: 'an old CA expired or was retired' };
  }
  for (const c of facts.cas) {
    if (c === signing) continue;
    checks.push(retired(c) ? Math.min(c.notAfterMs, dropAfterSwitch) : c.notAfterMs);
  }
  return { action: 'none', nextCheckAtMs: Math.min(...checks) };
}

function sameHosts(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a.map((h) => h.toLowerCase()));
  return a.length === b.length && b.every((h) => set.has(h.toLowerCase()));
}
