/** Facts read from the Secret's material: what the planner may trust, and what it must repair. */
import { generateKeyPairSync } from 'node:crypto';
import { applyRotation, certificatesOf, webhookTlsFacts } from '../../../../cluster-agent/webhook-tls/webhook-tls-material.js';

const settings = { caValidityMs: 3_600_000, servingValidityMs: 600_000, overlapMs: 0, renewFraction: 1 / 3 };
const ctx = { hosts: ['hook.ns.svc', '10.0.0.7'], settings, nowMs: Date.now() };

describe('webhook TLS material', () => {
  it('a created Secret: one CA holding the key, a serving certificate it issued for the hosts (DNS and IP)', async () => {
    const m = await applyRotation(undefined, { action: 'create' }, ctx);
    const facts = webhookTlsFacts(m);
    expect(facts.cas).toHaveLength(1);
    expect(facts.signingCa).toBe(facts.cas[0]!.fingerprint);
    expect(facts.serving).toMatchObject({ issuer: facts.cas[0]!.fingerprint, hosts: ['hook.ns.svc', '10.0.0.7'] });
    // issued "now" though dated back for clock skew
    expect(Math.abs(facts.serving!.issuedAtMs - ctx.nowMs)).toBeLessThan(2000);
  });

  it('stage-ca puts a new CA (with the key) first and keeps the old; switch-serving issues from the new one', async () => {
    const m = await applyRotation(undefined, { action: 'create' }, ctx);
    const staged = await applyRotation(m, { action: 'stage-ca', reason: 't' }, ctx);
    const facts = webhookTlsFacts(staged);
    expect(facts.cas.map((c) => c.fingerprint)[1]).toBe(webhookTlsFacts(m).cas[0]!.fingerprint);
    expect(facts.signingCa).toBe(facts.cas[0]!.fingerprint);
    expect(facts.serving?.issuer).toBe(facts.cas[1]!.fingerprint);
    const switched = webhookTlsFacts(await applyRotation(staged, { action: 'switch-serving', reason: 't' }, ctx));
    expect(switched.serving?.issuer).toBe(facts.cas[0]!.fingerprint);
    const dropped = await applyRotation(staged, { action: 'drop-cas', keep: [facts.cas[0]!.fingerprint], reason: 't' }, ctx);
    expect(certificatesOf(dropped.caBundlePem)).toHaveLength(1);
  });

  it('what cannot be used is reported as missing: a foreign (RSA) CA key, a serving key of another pair, garbage', async () => {
    const m = await applyRotation(undefined, { action: 'create' }, ctx);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(webhookTlsFacts({ ...m, caKeyPem: rsa }).signingCa).toBeUndefined();
    expect(webhookTlsFacts({ ...m, keyPem: m.caKeyPem }).serving).toBeUndefined();
    expect(webhookTlsFacts({ caBundlePem: 'x', caKeyPem: '', certPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', keyPem: '' })).toEqual({ cas: [], signingCa: undefined, serving: undefined });
  });
});
