import { validateAkvsSpec } from '../../../../core/crd/validate-spec.js';
import { aSpec } from './akvs-builder.js';

function errorsOf(spec: unknown): string[] {
  const result = validateAkvsSpec(spec);
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.errors;
}

describe('validateAkvsSpec: valid specs', () => {
  it.each([
    ['secret → Opaque Secret', aSpec()],
    ['secret → ConfigMap', aSpec({ output: { configMap: { name: 'cm', dataKey: 'value' } } })],
    ['secret → kubernetes.io/tls (no dataKey)', aSpec({ output: { secret: { name: 's', type: 'kubernetes.io/tls' } } })],
    ['secret → basic-auth (no dataKey)', aSpec({ output: { secret: { name: 's', type: 'kubernetes.io/basic-auth' } } })],
    ['multi-key-value-secret without dataKey', aSpec({
      vault: { name: 'my-kv', object: { name: 'db', type: 'multi-key-value-secret', contentType: 'application/x-yaml' } },
      output: { secret: { name: 'db' } },
    })],
    ['certificate → tls', aSpec({ vault: { name: 'my-kv', object: { name: 'cert', type: 'certificate' } }, output: { secret: { name: 'c', type: 'kubernetes.io/tls' } } })],
    ['no output (env injection only)', aSpec({ output: undefined })],
    ['empty output', aSpec({ output: {} })],
    ['everything', aSpec({
      vault: { name: 'My-Kv-01', azureIdentity: { name: 'id' }, object: { name: 'my-secret', type: 'secret', version: '0123456789abcdef0123456789abcdef' } },
      output: { secret: { name: 'a.b-c', type: 'example.com/custom', dataKey: '.hidden_key-1' }, transform: ['base64decode', 'trim', 'base64encode'] },
      deletionPolicy: 'Retain',
    })],
  ])('%s', (_name, spec) => {
    expect(validateAkvsSpec(spec)).toEqual({ ok: true, spec });
  });
});

describe('validateAkvsSpec: errors name the field', () => {
  it.each([
    ['a missing spec', undefined, 'spec: is required'],
    ['a spec that is not an object', 'secret', 'spec: must be an object'],
    ['a missing vault', { output: {} }, 'spec.vault: is required'],
    ['a missing object name', { vault: { name: 'my-kv', object: { type: 'secret' } } }, 'spec.vault.object.name: is required'],
    ['an unknown object type', { vault: { name: 'my-kv', object: { name: 'x', type: 'blob' } } },
      'spec.vault.object.type: must be one of secret, certificate, key, multi-key-value-secret'],
    ['a too short vault name', aSpec({ vault: { name: 'kv', object: { name: 'x', type: 'secret' } } }), 'spec.vault.name: must be at least 3 characters'],
    ['a vault name with a dot', aSpec({ vault: { name: 'my.kv', object: { name: 'x', type: 'secret' } } }), 'spec.vault.name: must be a Key Vault name'],
    ['an object name with "_"', aSpec({ vault: { name: 'my-kv', object: { name: 'a_b', type: 'secret' } } }), 'spec.vault.object.name: must be a Key Vault object name'],
    ['a bad contentType', aSpec({ vault: { name: 'my-kv', object: { name: 'x', type: 'multi-key-value-secret', contentType: 'text/plain' as never } } }),
      'spec.vault.object.contentType: must be one of application/x-json, application/x-yaml'],
    ['an upper-case Secret name', aSpec({ output: { secret: { name: 'MySecret', dataKey: 'k' } } }), 'spec.output.secret.name: must be a Kubernetes object name'],
    ['a dataKey with "/"', aSpec({ output: { secret: { name: 's', dataKey: 'a/b' } } }), 'spec.output.secret.dataKey: must be a valid Secret/ConfigMap key'],
    ['a dataKey of ".."', aSpec({ output: { secret: { name: 's', dataKey: '..' } } }), 'spec.output.secret.dataKey: must be a valid Secret/ConfigMap key'],
    ['a dataKey starting with ".."', aSpec({ output: { secret: { name: 's', dataKey: '..a' } } }), 'spec.output.secret.dataKey: must be a valid Secret/ConfigMap key'],
    ['an empty dataKey', aSpec({ output: { secret: { name: 's', dataKey: '' } } }), 'spec.output.secret.dataKey: must not be empty'],
    ['an unknown transform', aSpec({ output: { secret: { name: 's', dataKey: 'k' }, transform: ['rot13' as never] } }),
      'spec.output.transform[0]: must be one of trim, base64encode, base64decode'],
    ['a misspelt field', aSpec({ output: { secret: { name: 's', datakey: 'k' } as never } }), 'spec.output.secret.datakey: is not a known field'],
    ['a bad deletionPolicy', aSpec({ deletionPolicy: 'Orphan' as never }), 'spec.deletionPolicy: must be one of Delete, Retain'],
    ['a missing Secret name', aSpec({ output: { secret: { dataKey: 'k' } as never } }), 'spec.output.secret.name: is required'],
    // cross-field rules
    ['secret → Opaque without dataKey', aSpec({ output: { secret: { name: 's' } } }), 'spec.output.secret.dataKey: is required for Opaque'],
    ['secret → explicit Opaque without dataKey', aSpec({ output: { secret: { name: 's', type: 'Opaque' } } }), 'spec.output.secret.dataKey: is required'],
    ['secret → custom type without dataKey', aSpec({ output: { secret: { name: 's', type: 'example.com/x' } } }), 'spec.output.secret.dataKey: is required'],
    ['key → tls without dataKey', aSpec({ vault: { name: 'my-kv', object: { name: 'k', type: 'key' } }, output: { secret: { name: 's', type: 'kubernetes.io/tls' } } }),
      'spec.output.secret.dataKey: is required'],
    ['ConfigMap without dataKey', aSpec({ output: { configMap: { name: 'cm' } } }), 'spec.output.configMap.dataKey: is required unless vault.object.type is multi-key-value-secret'],
    ['both outputs', aSpec({ output: { secret: { name: 's', dataKey: 'k' }, configMap: { name: 'c', dataKey: 'k' } } }),
      'spec.output: set either output.secret or output.configMap, not both'],
    ['transforms on a multi-key-value-secret', aSpec({
      vault: { name: 'my-kv', object: { name: 'db', type: 'multi-key-value-secret' } }, output: { secret: { name: 'db' }, transform: ['trim'] },
    }), 'spec.output.transform: transforms apply only to vault.object.type secret'],
  ])('%s', (_name, spec, expected) => {
    const errors = errorsOf(spec);
    expect(errors.some((e) => e.startsWith(expected))).toBe(true);
  });

  it('reports every schema error at once', () => {
    const errors = errorsOf({ vault: { name: 'x', object: { name: 'a b', type: 'nope' } }, output: { secret: { name: 'UP' } }, extra: 1 });
    expect(errors).toEqual(expect.arrayContaining([
      'spec.extra: is not a known field',
      'spec.vault.name: must be at least 3 characters',
      expect.stringMatching(/^spec\.vault\.object\.name: /),
      expect.stringMatching(/^spec\.vault\.object\.type: /),
      expect.stringMatching(/^spec\.output\.secret\.name: /),
    ]));
  });

  it('quotes odd field names instead of printing them raw', () => {
    const errors = errorsOf({ ...aSpec(), 'bad key\nwith newline': true });
    expect(errors).toEqual(['spec."bad key\\nwith newline": is not a known field']);
  });

  it('never echoes the offending value', () => {
    const errors = errorsOf(aSpec({ output: { secret: { name: 'Value-That-Must-Not-Appear', dataKey: 'k' } } }));
    expect(errors.join('\n')).not.toContain('Value-That-Must-Not-Appear');
  });
});
