import type { LookupAddress } from 'node:dns';
import { forbiddenAddressReason } from '../../../../core/net/forbidden-address.js';
import { guardedLookup } from '../../../../functions/adapters/guarded-lookup.js';

describe('forbiddenAddressReason', () => {
  it.each(['169.254.169.254', '169.254.0.1', '[fe80::1]', 'fe80::abcd', '::ffff:169.254.169.254', '0.0.0.0', '::', '168.63.129.16', '100.100.100.200', 'fd00:ec2::254', 'metadata.google.internal', 'METADATA.google.internal.', 'metadata'])(
    'refuses %s',
    (host) => {
      expect(forbiddenAddressReason(host)).toEqual(expect.any(String));
    },
  );

  it.each(['127.0.0.1', '[::1]', '10.0.0.5', '192.168.1.20', 'agent.prod-weu.example.com', '169.255.0.1'])('allows %s', (host) => {
    expect(forbiddenAddressReason(host)).toBeUndefined();
  });
});

describe('guardedLookup (the push sink resolves names through it)', () => {
  const resolve = (host: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((done) =>
      guardedLookup(host, { all }, (error, address) => done({ error, address })));

  it('passes allowed addresses through, one or all', async () => {
    expect(await resolve('127.0.0.1', false)).toEqual({ error: null, address: '127.0.0.1' });
    expect((await resolve('127.0.0.1', true)).address).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('refuses a name that resolves to a link-local or metadata address', async () => {
    const { error } = await resolve('169.254.169.254', false);
    expect(error).toMatchObject({ code: 'EFORBIDDENADDRESS', message: expect.stringContaining('link-local') });
  });
});
