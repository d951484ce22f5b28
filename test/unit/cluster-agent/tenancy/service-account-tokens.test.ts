import { ServiceAccountTokens } from '../../../../cluster-agent/tenancy/service-account-tokens.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

describe('ServiceAccount token cache', () => {
  it('requests one token per ServiceAccount, shares it while fresh, and renews it when a fifth of its life is left', async () => {
    const clock = new ManualScheduler();
    const requests: string[] = [];
    const tokens = new ServiceAccountTokens(async (ns, sa, seconds) => {
      requests.push(`${ns}/${sa}/${seconds}`);
      return { token: `t${requests.length}`, expiresAtMs: clock.now() + seconds * 1000 };
    }, clock, 3600);

    expect(await Promise.all([tokens.token('a', 'reader'), tokens.token('a', 'reader')])).toEqual(['t1', 't1']);
    expect(await tokens.token('b', 'reader')).toBe('t2');
    await clock.advance(2879_000);
    expect(await tokens.token('a', 'reader')).toBe('t1');
    await clock.advance(2_000);
    expect(await tokens.token('a', 'reader')).toBe('t3');
    expect(requests).toEqual(['a/reader/3600', 'b/reader/3600', 'a/reader/3600']);
  });

  it('does not remember a failed request', async () => {
    const clock = new ManualScheduler();
    let fail = true;
    const tokens = new ServiceAccountTokens(async () => {
      if (fail) throw new Error('403');
      return { token: 'ok', expiresAtMs: clock.now() + 600_000 };
    }, clock, 600);
    await expect(tokens.token('a', 'reader')).rejects.toThrow('403');
    fail = false;
    expect(await tokens.token('a', 'reader')).toBe('ok');
  });
});
