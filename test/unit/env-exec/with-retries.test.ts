import { TerminalError, TransientError } from '../../../core/errors.js';
import { withRetries } from '../../../env-exec/with-retries.js';

describe('withRetries', () => {
  it('retries transient failures with exponential backoff (honouring Retry-After, capped), then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetries(async () => {
      calls++;
      if (calls === 1) throw new TransientError('AgentUnavailable', 'x');
      if (calls === 2) throw new TransientError('AgentUnavailable', 'x', { retryAfterMs: 3000 });
      if (calls === 3) throw new TransientError('AgentUnavailable', 'x', { retryAfterMs: 60_000 });
      return 'ok';
    }, { maxAttempts: 5, sleep: async (ms) => { delays.push(ms); } });
    expect(result).toBe('ok');
    expect(delays).toEqual([500, 3000, 8000]);
  });

  it('gives up after maxAttempts, and at once on a terminal failure', async () => {
    let calls = 0;
    const sleep = async () => undefined;
    await expect(withRetries(async () => { calls++; throw new TransientError('T', 'x'); }, { maxAttempts: 3, sleep })).rejects.toThrow(TransientError);
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetries(async () => { calls++; throw new TerminalError('X', 'x'); }, { maxAttempts: 3, sleep })).rejects.toThrow(TerminalError);
    expect(calls).toBe(1);
  });
});
