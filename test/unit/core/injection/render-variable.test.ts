import { composeEnvironment } from '../../../../core/injection/compose-environment.js';
import type { PlannedVariable, VaultSource } from '../../../../core/injection/injection-plan.js';
import { type RenderedVariable, renderVariable } from '../../../../core/injection/render-variable.js';
import { expectNoSecretIn, terminalErrorFrom } from '../sync/terminal-error.js';

const SECRET = 'S3cr3t-never-shown';
const entry = (source: Partial<VaultSource>, query?: string, env = 'TARGET'): PlannedVariable =>
  ({ env, akvs: 'a', query, source: { vault: 'kv', name: 'obj', type: 'secret', ...source } });
const value = (v: string, contentType?: string) => ({ value: v, version: 'v1', contentType });
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----';
const CHAIN = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----';
const KEY = `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----`;

describe('renderVariable', () => {
  it('gives a secret as it is, after the spec transforms', () => {
    expect(renderVariable(entry({}), value(SECRET))).toBe(SECRET);
    expect(renderVariable(entry({ transform: ['base64decode', 'trim'] }), value(Buffer.from(' hi \n').toString('base64')))).toBe('hi');
  });

  it('splits user:pass for ?username and ?password at the first colon', () => {
    expect(renderVariable(entry({}, 'username'), value('u:p:q'))).toBe('u');
    expect(renderVariable(entry({}, 'password'), value('u:p:q'))).toBe('p:q');
    const error = terminalErrorFrom(() => renderVariable(entry({}, 'password'), value(SECRET)));
    expect(error.code).toBe('InvalidSecretFormat');
    expectNoSecretIn(error, SECRET);
  });

  it('gives the PEM certificate chain for ?tls.crt (and no query) and the private key for ?tls.key', () => {
    const pem = `${KEY}\n${CERT}\n${CHAIN}\n`;
    for (const type of ['certificate', 'secret'] as const) {
      expect(renderVariable(entry({ type }, 'tls.crt'), value(pem, 'application/x-pem-file'))).toBe(`${CERT}\n${CHAIN}\n`);
      expect(renderVariable(entry({ type }, 'tls.key'), value(pem))).toBe(`${KEY}\n`);
    }
    expect(renderVariable(entry({ type: 'certificate' }), value(pem))).toBe(`${CERT}\n${CHAIN}\n`);
  });

  it('refuses PFX and values without the PEM part, naming neither value', () => {
    const pfx = terminalErrorFrom(() => renderVariable(entry({ type: 'certificate' }, 'tls.key'), value(SECRET, 'application/x-pkcs12')));
    expect(pfx.code).toBe('UnsupportedFormat');
    const noKey = terminalErrorFrom(() => renderVariable(entry({ type: 'certificate' }, 'tls.key'), value(`${CERT}\n${SECRET}`)));
    expect(noKey.code).toBe('InvalidSecretFormat');
    expectNoSecretIn(noKey, SECRET);
  });

  it('gives one key of a multi-key-value secret, including keys with "-"', () => {
    const mkv = entry({ type: 'multi-key-value-secret', contentType: 'application/x-json' }, 'db-password');
    expect(renderVariable(mkv, value(JSON.stringify({ 'db-password': SECRET, port: 5432 })))).toBe(SECRET);
    const missing = terminalErrorFrom(() => renderVariable({ ...mkv, query: 'nope' }, value(JSON.stringify({ a: SECRET }))));
    expect(missing.code).toBe('KeyNotFound');
    expectNoSecretIn(missing, SECRET);
  });

  it('gives every key for ?*, refusing keys that are not environment names', () => {
    const all = entry({ type: 'multi-key-value-secret' }, '*');
    expect(renderVariable(all, value('HOST: db\nPORT: 5432\n', 'application/x-yaml'))).toEqual({ HOST: 'db', PORT: '5432' });
    const bad = terminalErrorFrom(() => renderVariable(all, value(JSON.stringify({ '1x': SECRET }), 'application/json')));
    expect(bad.code).toBe('InvalidEnvName');
    expectNoSecretIn(bad, SECRET);
    // A key comes from the value too: it is named by its position, never quoted.
    const key = 'not an env name: s3cr3t-in-the-key';
    const keyed = terminalErrorFrom(() => renderVariable(all, value(JSON.stringify({ ok: 'x', [key]: 'y' }), 'application/json')));
    expect(keyed.message).toContain('the key at position 2');
    expectNoSecretIn(keyed, key);
  });

  it('refuses a NUL byte, which execve cannot carry', () => {
    expect(terminalErrorFrom(() => renderVariable(entry({}), value('a\0b'))).code).toBe('InvalidEnvValue');
  });
});

describe('composeEnvironment', () => {
  const plan = [entry({}, undefined, 'SINGLE'), entry({ type: 'multi-key-value-secret' }, '*', 'ALL_DB')];
  const base = { PATH: '/bin', SINGLE: 'a@azurekeyvault', ALL_DB: 'db@azurekeyvault?*', HOST: 'explicit', AKVSYNC_ENV_EXEC_PLAN: '[]', AKVSYNC_ENV_EXEC_AUTH: 'agent' };

  it('replaces placeholders, expands ?* (explicit variables win), and drops env-exec configuration', () => {
    const rendered = new Map<string, RenderedVariable>([['SINGLE', SECRET], ['ALL_DB', { HOST: 'db', PORT: '5432' }]]);
    expect(composeEnvironment(base, plan, rendered)).toEqual({ PATH: '/bin', SINGLE: SECRET, HOST: 'explicit', PORT: '5432' });
  });

  it('refuses to start half-configured: a planned variable without a value, or of the wrong shape', () => {
    expect(terminalErrorFrom(() => composeEnvironment(base, plan, new Map([['SINGLE', SECRET]]))).code).toBe('MissingValue');
    expect(terminalErrorFrom(() => composeEnvironment(base, plan, new Map([['SINGLE', SECRET], ['ALL_DB', SECRET]]))).code).toBe('MissingValue');
  });
});
