import type { AkvsSpec } from '../../../../core/crd/azure-key-vault-secret.js';
import { computeDesiredOutput, type DesiredOutput, type KeyVaultValue } from '../../../../core/sync/compute-desired-output.js';
import { dataHash } from '../../../../core/sync/data-hash.js';
import { anAkvs } from '../crd/akvs-builder.js';
import { expectNoSecretIn, terminalErrorFrom } from './terminal-error.js';

const SECRET = 'S3cr3t:Value-Never-Shown';
const aValue = (overrides: Partial<KeyVaultValue> = {}): KeyVaultValue => ({ value: SECRET, version: 'v1', ...overrides });
const mkv = (contentType?: 'application/x-json' | 'application/x-yaml'): Partial<AkvsSpec> => ({
  vault: { name: 'my-kv', object: { name: 'db-config', type: 'multi-key-value-secret', ...(contentType ? { contentType } : {}) } },
  output: { secret: { name: 'db-config' } },
});
const text = (out: DesiredOutput): Record<string, string> =>
  (out.kind === 'None' ? {} : Object.fromEntries(Object.entries(out.data).map(([k, v]) => [k, v.toString('utf8')])));

const failure = terminalErrorFrom;

describe('computeDesiredOutput: secret objects', () => {
  it('writes an Opaque Secret in the CR namespace with the value under dataKey and its data hash', () => {
    const out = computeDesiredOutput(anAkvs(), aValue());
    expect(out).toEqual({
      kind: 'Secret', namespace: 'akv-test', name: 'my-secret-from-akv', secretType: 'Opaque',
      data: { 'secret-value': Buffer.from(SECRET) }, dataHash: dataHash({ 'secret-value': Buffer.from(SECRET) }),
    });
  });

  it('keeps a custom Secret type', () => {
    const out = computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 's', type: 'example.com/token', dataKey: 'token' } } } }), aValue());
    expect(out).toMatchObject({ kind: 'Secret', secretType: 'example.com/token' });
  });

  it('writes a ConfigMap (no Secret type) after transforms', () => {
    const out = computeDesiredOutput(
      anAkvs({ spec: { output: { configMap: { name: 'cm', dataKey: 'conf' }, transform: ['base64decode', 'trim'] } } }),
      aValue({ value: Buffer.from(' plain text \n').toString('base64') }),
    );
    expect(out).toMatchObject({ kind: 'ConfigMap', namespace: 'akv-test', name: 'cm' });
    expect(out).not.toHaveProperty('secretType');
    expect(text(out)).toEqual({ conf: 'plain text' });
  });

  it('writes nothing without an output (env injection only)', () => {
    expect(computeDesiredOutput(anAkvs({ spec: { output: undefined } }), aValue())).toEqual({ kind: 'None' });
  });

  it.each([
    ['kubernetes.io/basic-auth', 'alice:pa:ss', { username: 'alice', password: 'pa:ss' }],
    ['kubernetes.io/dockerconfigjson', '{"auths":{}}', { '.dockerconfigjson': '{"auths":{}}' }],
    ['kubernetes.io/dockercfg', '{"r":{}}', { '.dockercfg': '{"r":{}}' }],
    ['kubernetes.io/ssh-auth', '-----BEGIN KEY-----', { 'ssh-privatekey': '-----BEGIN KEY-----' }],
  ])('%s takes its well-known keys', (type, value, expected) => {
    const out = computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 's', type } } } }), aValue({ value }));
    expect(out).toMatchObject({ kind: 'Secret', secretType: type });
    expect(text(out)).toEqual(expected);
  });

  it.each([
    ['kubernetes.io/basic-auth', 'no-colon-S3cr3t'],
    ['kubernetes.io/dockerconfigjson', 'not-json-S3cr3t'],
    ['kubernetes.io/dockercfg', '{S3cr3t'],
  ])('%s refuses a value of the wrong shape without quoting it', (type, value) => {
    const error = failure(() => computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 's', type } } } }), aValue({ value })));
    expect(error.code).toBe('InvalidSecretFormat');
    expectNoSecretIn(error, 'S3cr3t');
  });
});

describe('computeDesiredOutput: multi-key-value-secret', () => {
  it('writes every key (JSON), to a Secret of the spec type', () => {
    const out = computeDesiredOutput(anAkvs({ spec: mkv('application/x-json') }), aValue({ value: '{"user":"app","port":5432}' }));
    expect(out).toMatchObject({ kind: 'Secret', name: 'db-config', secretType: 'Opaque' });
    expect(text(out)).toEqual({ user: 'app', port: '5432' });
  });

  it('writes every key (YAML) to a ConfigMap', () => {
    const spec = { ...mkv('application/x-yaml'), output: { configMap: { name: 'cfg' } } };
    const out = computeDesiredOutput(anAkvs({ spec }), aValue({ value: 'a-b: 1\nc.d: two\n' }));
    expect(out).toMatchObject({ kind: 'ConfigMap', name: 'cfg' });
    expect(text(out)).toEqual({ 'a-b': '1', 'c.d': 'two' });
  });

  it("falls back to the Key Vault secret's content type", () => {
    const out = computeDesiredOutput(anAkvs({ spec: mkv() }), aValue({ value: 'k: v', contentType: 'application/yaml' }));
    expect(text(out)).toEqual({ k: 'v' });
  });

  it('asks for a contentType when neither says JSON or YAML', () => {
    expect(failure(() => computeDesiredOutput(anAkvs({ spec: mkv() }), aValue({ value: '{"k":"v"}' }))).code).toBe('MissingContentType');
  });

  it.each(['a/b', 'has space', '..hidden', 'ü', `password=${SECRET}`])('refuses the key %p, pointing at it by position: no key from the value, no value', (key) => {
    const error = failure(() => computeDesiredOutput(anAkvs({ spec: mkv('application/x-json') }), aValue({ value: JSON.stringify({ ok: 'x', [key]: SECRET }) })));
    expect(error.code).toBe('InvalidDataKey');
    expect(error.message).toContain('the key at position 2 is not a valid Secret key');
    expect(error.message).not.toContain(key);
    expectNoSecretIn(error, SECRET);
  });

  it.each(['toString', 'constructor', 'hasOwnProperty'])('treats a Secret type named %p as a custom type (own-property lookup), not a prototype member', (type) => {
    const out = computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 'out', type, dataKey: 'k' } } } }), aValue({ value: 'v' }));
    expect(out.kind === 'Secret' ? Object.keys(out.data) : []).toEqual(['k']);
  });

  it('keeps "__proto__" as data, not as a prototype', () => {
    const out = computeDesiredOutput(anAkvs({ spec: mkv('application/x-json') }), aValue({ value: '{"__proto__":"x","a":"y"}' }));
    if (out.kind === 'None') throw new Error('expected output');
    expect(Object.keys(out.data)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(out.data)).toBe(Object.prototype);
  });

  it('prunes by construction: the data is exactly the current keys', () => {
    const akvs = anAkvs({ spec: mkv('application/x-json') });
    const before = computeDesiredOutput(akvs, aValue({ value: '{"a":"1","b":"2"}' }));
    const after = computeDesiredOutput(akvs, aValue({ value: '{"a":"1"}' }));
    expect(Object.keys(text(before))).toEqual(['a', 'b']);
    expect(Object.keys(text(after))).toEqual(['a']);
    expect(after.kind !== 'None' && before.kind !== 'None' && after.dataHash !== before.dataHash).toBe(true);
  });
});

describe('computeDesiredOutput: later object types and bad specs', () => {
  it.each([
    ['certificate', { vault: { name: 'my-kv', object: { name: 'c', type: 'certificate' } }, output: { secret: { name: 's', type: 'kubernetes.io/tls' } } }],
    ['key', { vault: { name: 'my-kv', object: { name: 'k', type: 'key' } }, output: { secret: { name: 's', dataKey: 'key' } } }],
    ['a secret as kubernetes.io/tls (PFX)', { output: { secret: { name: 's', type: 'kubernetes.io/tls' } } }],
  ] as [string, Partial<AkvsSpec>][])('%s: UnsupportedObjectType', (_name, spec) => {
    const error = failure(() => computeDesiredOutput(anAkvs({ spec }), aValue()));
    expect(error.code).toBe('UnsupportedObjectType');
    expect(error.message).toMatch(/^spec\.vault\.object\.type: .* is not supported yet/);
  });

  it('refuses an invalid spec with the validation errors (InvalidSpec)', () => {
    const error = failure(() => computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 's' } } } }), aValue()));
    expect(error.code).toBe('InvalidSpec');
    expect(error.message).toContain('spec.output.secret.dataKey: is required');
  });
});

describe('computeDesiredOutput: purity', () => {
  it('is deterministic and does not touch its input', () => {
    const akvs = anAkvs({ spec: { output: { secret: { name: 's', dataKey: 'k' }, transform: ['trim'] } } });
    const snapshot = structuredClone(akvs);
    expect(computeDesiredOutput(akvs, aValue())).toEqual(computeDesiredOutput(akvs, aValue()));
    expect(akvs).toEqual(snapshot);
  });

  it('returns frozen data', () => {
    const out = computeDesiredOutput(anAkvs(), aValue());
    expect(out.kind !== 'None' && Object.isFrozen(out.data)).toBe(true);
  });

  it('uses the hash key when given', () => {
    const key = Buffer.from('per-cluster-key');
    const keyed = computeDesiredOutput(anAkvs(), aValue(), { hashKey: key });
    const plain = computeDesiredOutput(anAkvs(), aValue());
    if (keyed.kind === 'None' || plain.kind === 'None') throw new Error('expected output');
    expect(keyed.dataHash).toBe(dataHash(keyed.data, key));
    expect(keyed.dataHash).not.toBe(plain.dataHash);
  });
});
