import { keyVaultError as mapError, type KeyVaultErrorContext } from '../../../../core/key-vault/key-vault-errors.js';

const NOW = Date.UTC(2026, 11, 1);
const keyVaultError = (error: unknown, what: string, context: Partial<KeyVaultErrorContext> = {}) => mapError(error, what, { nowMs: NOW, ...context });

const restError = (statusCode: number | undefined, code: string, extra: { body?: string; retryAfter?: string; message?: string; name?: string } = {}) => ({
  name: extra.name ?? 'RestError',
  statusCode,
  code,
  message: extra.message ?? 'the SDK message that might echo a body: s3cr3t',
  response: { headers: { get: (h: string) => (h === 'retry-after' ? extra.retryAfter : undefined) }, bodyAsText: extra.body ?? null },
});

describe('keyVaultError', () => {
  it.each([
    [restError(404, 'SecretNotFound'), 'not-found', 'SecretNotFound'],
    [restError(403, 'Forbidden', { body: '{"error":{"code":"Forbidden","innererror":{"code":"SecretDisabled"}}}' }), 'not-found', 'SecretDisabled'],
    [restError(403, 'Forbidden', { body: '{"error":{"code":"Forbidden","innererror":{"code":"ForbiddenByRbac"}}}', message: 'denied' }), 'terminal', 'KeyVaultForbidden'],
    [restError(429, 'Throttled', { retryAfter: '7' }), 'transient', 'KeyVaultThrottled'],
    [restError(503, 'ServiceUnavailable'), 'transient', 'KeyVaultUnavailable'],
    [restError(undefined, 'ECONNREFUSED'), 'transient', 'KeyVaultUnreachable'],
    [restError(400, 'BadParameter'), 'terminal', 'KeyVaultRejected'],
    // What @azure/core-client throws for a 200 whose body does not parse: the message holds the body.
    [restError(200, 'PARSE_ERROR', { message: 'Error "SyntaxError" occurred while parsing the response body - {"value":"s3cr3t","id":"x"' }), 'transient', 'KeyVaultBadResponse'],
    [restError(400, '{"value":"s3cr3t"}'), 'terminal', 'KeyVaultRejected'],
  ])('maps %#', (error, kind, code) => {
    const mapped = keyVaultError(error, 'kv1/db');
    expect(mapped).toMatchObject({ kind, code });
    expect(mapped.message).not.toContain('s3cr3t');
    expect(String((mapped.cause as Error).message)).not.toContain('s3cr3t');
  });

  it('carries the Retry-After hint', () => {
    expect(keyVaultError(restError(429, 'Throttled', { retryAfter: '7' }), 'kv1/db')).toMatchObject({ retryAfterMs: 7000 });
  });
});

describe('keyVaultError for keys', () => {
  it('maps KeyNotFound and KeyDisabled to the not-found sentinel and names a key', () => {
    expect(keyVaultError(restError(404, 'KeyNotFound'), 'kv1/signing', { noun: 'key' })).toMatchObject({ kind: 'not-found', code: 'SecretNotFound', message: 'Key Vault key kv1/signing was not found' });
    const disabled = keyVaultError(restError(403, 'Forbidden', { body: '{"error":{"code":"Forbidden","innererror":{"code":"KeyDisabled"}}}', message: 'denied' }), 'kv1/signing', { noun: 'key' });
    expect(disabled).toMatchObject({ kind: 'not-found', code: 'SecretDisabled', message: 'Key Vault key kv1/signing is disabled' });
  });
});

describe('keyVaultError for the token behind the read (the agent and env-exec alike)', () => {
  const authError = (statusCode: number | undefined) => ({ name: 'AuthenticationError', statusCode, message: 'AADSTS700016: s3cr3t' });
  it("Entra ID refusing the token is terminal and names the identity; an unreachable token endpoint is transient", () => {
    const refused = keyVaultError(authError(400), 'kv1/db', { who: "this pod's identity" });
    expect(refused).toMatchObject({ kind: 'terminal', code: 'TokenRefused', message: "Entra ID refused the token of this pod's identity (400) reading kv1/db" });
    expect(keyVaultError(authError(503), 'kv1/db')).toMatchObject({ kind: 'transient', code: 'KeyVaultAuthFailed' });
    expect(keyVaultError(authError(undefined), 'kv1/db')).toMatchObject({ kind: 'transient', code: 'KeyVaultAuthFailed' });
    expect(keyVaultError({ name: 'CredentialUnavailableError', message: 's3cr3t' }, 'kv1/db')).toMatchObject({ kind: 'terminal', code: 'KeyVaultCredentialUnavailable' });
    for (const e of [refused, keyVaultError(authError(503), 'kv1/db')]) expect(`${e.message} ${String((e.cause as Error).message)}`).not.toContain('s3cr3t');
  });

  it('reads a Retry-After date against the time it is given', () => {
    expect(keyVaultError(restError(503, 'ServiceUnavailable', { retryAfter: new Date(NOW + 5000).toUTCString() }), 'kv1/db')).toMatchObject({ retryAfterMs: 5000 });
  });
});
