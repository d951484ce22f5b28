import { decideFirstListRetry } from '../../../../cluster-agent/adapters/first-list-retry.js';
import { kubeError } from '../../../../cluster-agent/adapters/kube-errors.js';

const policy = { baseDelayMs: 100, maxDelayMs: 1000, maxNotFoundRetries: 3 };
const RESOURCE = 'azurekeyvaultsecrets.akvsync.io/v1';
const apiException = (code: number, headers: Record<string, string> = {}) => ({ name: 'ApiException', code, headers, body: '{"kind":"Status","reason":"NotFound"}' });
const decide = (error: unknown, failures: number) => decideFirstListRetry(kubeError(error, 'list /apis/akvsync.io/v1/azurekeyvaultsecrets'), failures, RESOURCE, policy);

describe('decideFirstListRetry', () => {
  it('retries a 404 (CRD Established but not served yet) with doubling delays, up to maxNotFoundRetries times', () => {
    expect([1, 2, 3].map((n) => decide(apiException(404), n))).toEqual([
      { action: 'retry', delayMs: 100 },
      { action: 'retry', delayMs: 200 },
      { action: 'retry', delayMs: 400 },
    ]);
  });

  it('fails start-up after that with an error that names the resource and says to install the CRD', () => {
    const decision = decide(apiException(404), 4);

    expect(decision.action).toBe('fail');
    if (decision.action !== 'fail') return;
    expect(decision.error).toMatchObject({ kind: 'terminal', code: 'CrdNotServed' });
    expect(decision.error.message).toContain(RESOURCE);
    expect(decision.error.message).toContain('404 on 4 lists in a row');
    expect(decision.error.message).toContain('cluster-agent/manifests/akvsync.io_azurekeyvaultsecrets.yaml');
    expect(decision.error.cause).toMatchObject({ code: 'KubernetesNotFound' });
  });

  it('retries transient failures without a limit, capped delay, never sooner than Retry-After', () => {
    expect(decide(apiException(503), 50)).toEqual({ action: 'retry', delayMs: 1000 });
    expect(decide({ name: 'FetchError' }, 1)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decide(apiException(429, { 'retry-after': '7' }), 1)).toEqual({ action: 'retry', delayMs: 7000 });
  });

  it.each([401, 403, 400])('fails at once on %i (not something time fixes)', (code) => {
    const decision = decide(apiException(code), 1);

    expect(decision).toMatchObject({ action: 'fail', error: { kind: 'terminal' } });
  });
});
