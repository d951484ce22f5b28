import { DEFAULT_TENANT_ID, resolveClient, resolveOptions } from '../../../../scripts/kv-emulator/emulator-options.js';

describe('resolveOptions', () => {
  it('lower-cases vault names, fills defaults and freezes the result', () => {
    const resolved = resolveOptions({ vaults: ['Demo', 'kv-two'] });
    expect(resolved.vaults).toEqual(['demo', 'kv-two']);
    expect(resolved.tenantId).toBe(DEFAULT_TENANT_ID);
    expect(resolved.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolved.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolveOptions({ vaults: ['demo'] }).clientSecret).not.toBe(resolved.clientSecret);
  });

  it.each([
    [{ vaults: [] }, /vaults: give at least one/],
    [{ vaults: ['ab'] }, /'ab' is not a valid vault name/],
    [{ vaults: ['has--double'] }, /'has--double'/],
    [{ vaults: ['Demo', 'demo'] }, /'demo' is listed twice/],
    [{ vaults: ['demo'], tenantId: 'contoso' }, /tenantId: 'contoso' is not a GUID/],
    [{ vaults: ['demo'], clientSecret: 'short' }, /clientSecret/],
    [{ vaults: ['demo'], resourceGroup: 'bad/rg' }, /resourceGroup/],
  ])('names the bad option in its error (%j)', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });
});

describe('resolveClient', () => {
  it('keeps given credentials (client id lower-cased) and makes random ones otherwise', () => {
    expect(resolveClient({ clientId: 'AAAAAAAA-0000-4000-8000-000000000001', clientSecret: 'a-secret-of-16-chars' })).toEqual({
      clientId: 'aaaaaaaa-0000-4000-8000-000000000001',
      clientSecret: 'a-secret-of-16-chars',
    });
    expect(resolveClient({}).clientId).not.toBe(resolveClient({}).clientId);
    expect(() => resolveClient({ clientId: 'eso' })).toThrow(/clientId: 'eso' is not a GUID/);
    expect(() => resolveClient({ clientSecret: 'short' })).toThrow(/clientSecret/);
  });
});
