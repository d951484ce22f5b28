import { ObjectAccess } from '../../../../scripts/kv-emulator/object-access.js';

const TEAM_B = '0000000b-0000-4000-8000-00000000000b';

describe('per-identity object access', () => {
  it('restricts a client with rules to the objects its globs match, in the vaults they name', () => {
    const access = new ObjectAccess();
    access.restrict(TEAM_B, [{ vault: 'kv-b', objects: ['team-b-*', 'shared'] }]);

    expect(access.allows(TEAM_B, 'kv-b', 'team-b-db')).toBe(true);
    expect(access.allows(TEAM_B.toUpperCase(), 'KV-B', 'SHARED')).toBe(true);
    expect(access.allows(TEAM_B, 'kv-b', 'team-a-db')).toBe(false);
    expect(access.allows(TEAM_B, 'kv-a', 'team-b-db')).toBe(false);
  });

  it('lets a restricted client list a vault only with a * grant on it', () => {
    const access = new ObjectAccess();
    access.restrict(TEAM_B, [{ vault: 'kv-b', objects: ['team-b-*'] }, { vault: 'kv-shared', objects: ['*'] }]);

    expect(access.allows(TEAM_B, 'kv-b', undefined)).toBe(false);
    expect(access.allows(TEAM_B, 'kv-shared', undefined)).toBe(true);
  });

  it('leaves clients without rules alone, and lifts a restriction on undefined', () => {
    const access = new ObjectAccess();
    expect(access.allows('anyone', 'kv-a', 'x')).toBe(true);
    access.restrict(TEAM_B, []);
    expect(access.allows(TEAM_B, 'kv-a', 'x')).toBe(false);
    access.restrict(TEAM_B, undefined);
    expect(access.allows(TEAM_B, 'kv-a', 'x')).toBe(true);
  });
});
