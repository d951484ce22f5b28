import { guardLookup, type ResolvedAddress } from '../../../../core/net/guard-lookup.js';

const resolverOf = (answers: Record<string, ResolvedAddress[]>) => guardLookup((hostname, _options, done) => {
  const found = answers[hostname];
  return found ? done(null, found) : done(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
});
const ask = (lookup: ReturnType<typeof guardLookup>, host: string, all: boolean) =>
  new Promise<{ error: (Error & { code?: string }) | null; address: unknown; family?: number }>((done) => lookup(host, { all }, (error, address, family) => done({ error, address, family })));

describe('guardLookup', () => {
  const lookup = resolverOf({
    'registry.example': [{ address: '10.1.2.3', family: 4 }, { address: 'fd12::3', family: 6 }],
    'rebound.example': [{ address: '10.1.2.3', family: 4 }, { address: '169.254.169.254', family: 4 }],
    'mapped.example': [{ address: '::ffff:169.254.169.254', family: 6 }],
  });

  it('passes allowed addresses through, the first or all', async () => {
    expect(await ask(lookup, 'registry.example', false)).toEqual({ error: null, address: '10.1.2.3', family: 4 });
    expect((await ask(lookup, 'registry.example', true)).address).toEqual([{ address: '10.1.2.3', family: 4 }, { address: 'fd12::3', family: 6 }]);
  });

  it.each(['rebound.example', 'mapped.example'])('refuses %s, which resolves (also) to a metadata address', async (host) => {
    const { error } = await ask(lookup, host, true);
    expect(error).toMatchObject({ code: 'EFORBIDDENADDRESS', message: expect.stringContaining(`refused to connect to ${host}`) });
  });

  it('passes resolver errors on', async () => {
    expect((await ask(lookup, 'nowhere.example', false)).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
