import { BicepReadError, readBicep, readBicepParams } from '../../../../scripts/infra/bicep-declarations.js';

describe('readBicep', () => {
  it('reads params with decorators and defaults, vars, resources, modules and outputs', () => {
    const decls = readBicep('t.bicep', [
      "@description('a // not a comment')",
      '@minValue(1)',
      'param attempts int = 30 // a comment',
      'param name string',
      "var types = [\n  'A'\n  'B'\n]",
      "resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
      "  name: 'st${name}'",
      '  properties: {',
      '    allowSharedKeyAccess: false',
      "    url: 'api://AzureADTokenExchange'",
      '  }',
      '}',
      "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = if (!create) {\n  name: name\n}",
      "module m 'modules/m.bicep' = [for c in clusters: {\n  name: 'm-${c.name}'\n}]",
      'output id string = sa.id',
    ].join('\n'));
    expect(decls.map((d) => `${d.kind}:${d.name}`)).toEqual(['param:attempts', 'param:name', 'var:types', 'resource:sa', 'resource:kv', 'module:m', 'output:id']);
    expect(decls[0]).toMatchObject({ type: 'int', value: 30, decorators: ["@description('a // not a comment')", '@minValue(1)'] });
    expect(decls[1]?.value).toBeUndefined();
    expect(decls[2]?.value).toEqual(['A', 'B']);
    expect(decls[3]).toMatchObject({ type: 'Microsoft.Storage/storageAccounts@2023-05-01', value: { name: 'st${name}', properties: { allowSharedKeyAccess: false, url: 'api://AzureADTokenExchange' } } });
    expect(decls[4]).toMatchObject({ existing: true, condition: '!create', value: { name: { expr: 'name' } } });
    expect(decls[5]).toMatchObject({ type: 'modules/m.bicep', loop: 'for c in clusters', value: { name: 'm-${c.name}' } });
    expect(decls[6]?.value).toEqual({ expr: 'sa.id' });
  });

  it('keeps anything that is not a literal as expression text, unevaluated', () => {
    const [v] = readBicep('t.bicep', "var x = {\n  a: concat(b, [for n in c: n])\n  b: 'x' == y ? 1 : 2\n}");
    expect(v?.value).toEqual({ a: { expr: 'concat(b, [for n in c: n])' }, b: { expr: "'x' == y ? 1 : 2" } });
  });

  it.each([
    ["import * as x from 'y.bicep'", /unsupported declaration "import"/],
    ['type t = string', /unsupported declaration "type"/],
    ["var x = '''\nmulti\n'''", /multi-line ''' strings/],
    ['var x = {\n  a 1\n}', /expected ":"/],
    ['var x = {\n  a: {\n  } b: 1\n}', /one property per line/],
    ['var x = {\n  a: 1\n  a: 2\n}', /duplicate property "a"/],
    ["resource r 'T@1' = [\n  1\n]", /must be a for loop/],
    ['@description(\'dangling\')', /decorator without a declaration/],
  ])('refuses what it does not read: %s', (source, message) => {
    expect(() => readBicep('t.bicep', source)).toThrow(BicepReadError);
    expect(() => readBicep('t.bicep', source)).toThrow(message);
  });

  it('names the file and line of a problem', () => {
    expect(() => readBicep('bad.bicep', "param a string\n\nfunc f() string => 'x'")).toThrow(/^bad\.bicep:3: /);
  });
});

describe('readBicepParams', () => {
  it('reads a .bicepparam file', () => {
    expect(readBicepParams('p.bicepparam', "using 'main.bicep'\n// c\nparam a = 'x'\nparam b = [\n  {\n    n: 1\n  }\n]\n")).toEqual({ using: 'main.bicep', params: { a: 'x', b: [{ n: 1 }] } });
  });

  it('refuses a file without using, or with other declarations', () => {
    expect(() => readBicepParams('p.bicepparam', "param a = 'x'")).toThrow(/starts with using/);
    expect(() => readBicepParams('p.bicepparam', "using 'main.bicep'\noutput o string = 'x'")).toThrow(/only param assignments/);
  });
});
