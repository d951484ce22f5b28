import { backoffDelayMs, decideFirstListRetry, decideQueueAction, mostRetryable, parseRetryAfter, startupFailureLine } from '../../../cluster-agent/error-policy.js';
import { keyVaultError } from '../../../core/key-vault/key-vault-errors.js';
import { kubeError } from '../../../cluster-agent/adapters/kube-errors.js';
import { NotFoundError, TerminalError, TransientError } from '../../../core/errors.js';

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

describe('parseRetryAfter (the one Retry-After reading, for Key Vault and Kubernetes answers)', () => {
  const now = Date.UTC(2026, 0, 1);
  it('reads delta-seconds and HTTP dates; absent or unreadable is undefined', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('is what both adapters put on their TransientError', () => {
    expect((kubeError({ name: 'ApiException', code: 429, headers: { 'retry-after': '3' }, body: '' }, 'list') as TransientError).retryAfterMs).toBe(3000);
    const kv = keyVaultError({ statusCode: 503, response: { headers: { get: (n: string) => (n === 'retry-after' ? '4' : undefined) } } }, 'kv1/x', { nowMs: 0 });
    expect((kv as TransientError).retryAfterMs).toBe(4000);
  });
});

describe('backoffDelayMs and mostRetryable', () => {
  it('one formula: base · 2^earlier failures, capped; both decisions use it', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 50].map((n) => backoffDelayMs(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(decideQueueAction({ kind: 'error', error: new Error('x') }, 2, policy)).toEqual({ action: 'requeue', delayMs: 400, reason: 'backoff' });
    expect(decideFirstListRetry(new TransientError('X', 'x'), 3, 'r', { ...policy, maxNotFoundRetries: 1 })).toEqual({ action: 'retry', delayMs: 400 });
  });

  it('ranks transient over unexpected over not-found over terminal', () => {
    const terminal = new TerminalError('T', 't');
    const notFound = new NotFoundError('N', 'n');
    const unexpected = new Error('u');
    const transient = new TransientError('X', 'x');
    expect(mostRetryable([terminal, notFound])).toBe(notFound);
    expect(mostRetryable([terminal, notFound, unexpected])).toBe(unexpected);
    expect(mostRetryable([unexpected, transient, terminal])).toBe(transient);
  });
});

describe('startupFailureLine (what main.ts prints when the agent cannot start)', () => {
  it('prints our errors with code and value-free message', () => {
    expect(startupFailureLine(new TerminalError('InvalidConfig', 'AKVSYNC_NOTIFY_PORT must be a whole number'))).toBe('akvsync agent failed to start: InvalidConfig: AKVSYNC_NOTIFY_PORT must be a whole number');
  });

  it('never prints the message of a foreign error (a kubeconfig parse error quoting a token)', () => {
    const token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkxFQUsifQ.TOKEN-LEAK';
    const yamlError = Object.assign(new Error(`bad indentation at line 3: "    token: ${token}"`), { name: 'YAMLException' });
    const line = startupFailureLine(yamlError);
    expect(line).toContain('YAMLException');
    expect(line).not.toContain('TOKEN-LEAK');
    const withCode = startupFailureLine(Object.assign(new Error(`open ${token}`), { code: 'ENOENT' }));
    expect(withCode).toContain('Error ENOENT');
    expect(withCode).not.toContain('TOKEN-LEAK');
    expect(startupFailureLine(Object.assign(new Error('x'), { code: `weird ${token}` }))).not.toContain('TOKEN-LEAK');
  });
});
