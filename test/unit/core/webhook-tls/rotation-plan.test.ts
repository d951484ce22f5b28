import { planRotation } from '../../../../core/webhook-tls/rotation-plan.js';
import type { CertificateFacts, RotationInput, ServingFacts, WebhookTlsFacts } from '../../../../core/webhook-tls/rotation-plan.js';

const H = 3_600_000;
const settings = { caValidityMs: 300 * H, servingValidityMs: 30 * H, overlapMs: 1 * H, renewFraction: 1 / 3 };
const hosts = ['svc.ns.svc', 'svc.ns.svc.cluster.local'];
const ca = (fingerprint: string, issuedAtMs: number, lifetime = settings.caValidityMs): CertificateFacts => ({ fingerprint, issuedAtMs, notAfterMs: issuedAtMs + lifetime });
const serving = (issuer: string | undefined, issuedAtMs: number, extra: Partial<ServingFacts> = {}): ServingFacts =>
  ({ fingerprint: `leaf-${issuedAtMs}`, issuedAtMs, notAfterMs: issuedAtMs + settings.servingValidityMs, issuer, hosts, ...extra });
const plan = (facts: WebhookTlsFacts | undefined, nowMs: number, extra: Partial<RotationInput> = {}) => planRotation({ facts, hosts, settings, nowMs, ...extra });

describe('planRotation', () => {
  const steady: WebhookTlsFacts = { cas: [ca('A', 0)], signingCa: 'A', serving: serving('A', 0) };

  it('creates the Secret when absent, and does nothing while everything is fresh (next check at the serving renewal)', () => {
    expect(plan(undefined, 0)).toEqual({ action: 'create' });
    expect(plan(steady, 1 * H)).toEqual({ action: 'none', nextCheckAtMs: 20 * H });
  });

  it('renews the serving certificate at two thirds of its life, from the same CA, with no overlap needed', () => {
    expect(plan(steady, 20 * H)).toMatchObject({ action: 'switch-serving', reason: expect.stringContaining('renewal') });
  });

  it('rotates the CA with overlap: stage at two thirds, switch after the overlap once the webhook trusts it, drop the old CA when it expires', () => {
    const now = 200 * H;
    const fresh = { cas: [ca('A', 0)], signingCa: 'A', serving: serving('A', 190 * H) };
    expect(plan(fresh, now)).toMatchObject({ action: 'stage-ca' });
    const staged: WebhookTlsFacts = { cas: [ca('B', now), ca('A', 0)], signingCa: 'B', serving: serving('A', 190 * H) };
    expect(plan(staged, now + 0.5 * H, { webhookTrusts: ['B', 'A'] })).toEqual({ action: 'none', nextCheckAtMs: now + 1 * H });
    // the overlap has passed, but the webhook configuration does not trust B yet: keep serving A's certificate
    expect(plan(staged, now + 1 * H, { webhookTrusts: ['A'] })).toMatchObject({ action: 'none' });
    expect(plan(staged, now + 1 * H, { webhookTrusts: ['B', 'A'] })).toMatchObject({ action: 'switch-serving' });
    const switched: WebhookTlsFacts = { cas: [ca('B', now), ca('A', 0)], signingCa: 'B', serving: serving('B', now + 1 * H) };
    expect(plan(switched, now + 2 * H)).toEqual({ action: 'none', nextCheckAtMs: now + 1 * H + 20 * H });
    expect(plan({ ...switched, serving: serving('B', 290 * H) }, 300 * H)).toEqual({ action: 'drop-cas', keep: ['B'], reason: expect.any(String) });
  });

  it('a forced rotation (rotate-ca-before) stages a CA, and retires the old one an overlap after the switch', () => {
    const request = 10 * H;
    expect(plan(steady, 10 * H, { rotateCaBeforeMs: request })).toMatchObject({ action: 'stage-ca', reason: expect.stringContaining('requested') });
    const switched: WebhookTlsFacts = { cas: [ca('B', 10 * H), ca('A', 0)], signingCa: 'B', serving: serving('B', 11 * H) };
    expect(plan(switched, 11.5 * H, { rotateCaBeforeMs: request })).toEqual({ action: 'none', nextCheckAtMs: 12 * H });
    expect(plan(switched, 12 * H, { rotateCaBeforeMs: request })).toMatchObject({ action: 'drop-cas', keep: ['B'] });
    expect(plan({ ...switched, cas: [ca('B', 10 * H)] }, 12 * H, { rotateCaBeforeMs: request })).toMatchObject({ action: 'none' });
  });

  it('repairs what it cannot use: a missing CA key stages a CA; a missing, foreign, expired or misnamed serving certificate is replaced at once', () => {
    expect(plan({ ...steady, signingCa: undefined }, H)).toMatchObject({ action: 'stage-ca' });
    expect(plan({ ...steady, serving: undefined }, H)).toMatchObject({ action: 'switch-serving' });
    expect(plan({ ...steady, serving: serving(undefined, 0) }, H)).toMatchObject({ action: 'switch-serving' });
    expect(plan(steady, 31 * H)).toMatchObject({ action: 'switch-serving', reason: expect.stringContaining('expired') });
    expect(plan({ ...steady, serving: serving('A', 0, { hosts: ['other.svc'] }) }, H)).toMatchObject({ action: 'switch-serving', reason: expect.stringContaining('hosts') });
  });
});
