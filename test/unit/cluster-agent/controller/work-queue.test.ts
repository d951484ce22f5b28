import { NotFoundError, TerminalError, TransientError } from '../../../../core/errors.js';
import type { ReconcileResult } from '../../../../cluster-agent/controller/queue-action.js';
import { WorkQueue } from '../../../../cluster-agent/controller/work-queue.js';
import { ManualScheduler, flush } from '../support/manual-scheduler.js';

function setup(results: (key: string, call: number) => ReconcileResult | Promise<ReconcileResult>, concurrency = 4) {
  const scheduler = new ManualScheduler();
  const calls: { key: string; at: number }[] = [];
  const queue = new WorkQueue({
    scheduler,
    concurrency,
    backoff: { baseDelayMs: 100, maxDelayMs: 1000 },
    handler: async (key) => {
      calls.push({ key, at: scheduler.now() });
      return results(key, calls.filter((c) => c.key === key).length);
    },
  });
  return { scheduler, calls, queue };
}

const ok: ReconcileResult = { kind: 'success' };

describe('WorkQueue', () => {
  it('coalesces a key added many times while it waits into one reconcile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { queue, calls } = setup(async (key) => {
      if (key === 'blocker') await gate;
      return ok;
    }, 1);
    queue.add('blocker');
    for (let i = 0; i < 5; i++) queue.add('a');
    expect(queue.depth()).toBe(1);
    release();
    await queue.whenIdle();
    expect(calls.map((c) => c.key)).toEqual(['blocker', 'a']);
  });

  it('runs a key once more when it is added while being processed, never concurrently', async () => {
    let release!: () => void;
    let running = 0;
    let maxRunning = 0;
    const { queue, calls } = setup(async (_key, call) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (call === 1) await new Promise<void>((resolve) => (release = resolve));
      running--;
      return ok;
    });
    queue.add('a');
    await flush();
    queue.add('a');
    queue.add('a');
    release();
    await queue.whenIdle();
    expect(calls).toHaveLength(2);
    expect(maxRunning).toBe(1);
  });

  it('retries a transient failure with capped exponential backoff', async () => {
    const { queue, calls, scheduler } = setup((_k, call) => (call <= 5 ? { kind: 'error', error: new TransientError('KeyVaultUnavailable', 'down') } : ok));
    const start = scheduler.now();
    queue.add('a');
    await scheduler.advance(10_000);
    expect(calls.map((c) => c.at - start)).toEqual([0, 100, 300, 700, 1500, 2500]);
    expect(queue.failureCount('a')).toBe(0);
  });

  it('never retries sooner than a server Retry-After, even when the key is added again', async () => {
    const { queue, calls, scheduler } = setup((_k, call) =>
      call === 1 ? { kind: 'error', error: new TransientError('KeyVaultThrottled', 'slow down', { retryAfterMs: 30_000 }) } : ok,
    );
    const start = scheduler.now();
    queue.add('a');
    await scheduler.advance(1000);
    queue.add('a');
    await scheduler.advance(1000);
    expect(calls).toHaveLength(1);
    await scheduler.advance(30_000);
    expect(calls.map((c) => c.at - start)).toEqual([0, 30_000]);
  });

  it.each([
    ['terminal', new TerminalError('TransformFailed', 'bad base64')],
    ['not-found', new NotFoundError('SecretNotFound', 'gone')],
  ])('does not requeue a %s error', async (_name, error) => {
    const outcomes: string[] = [];
    const scheduler = new ManualScheduler();
    let calls = 0;
    const queue = new WorkQueue({
      scheduler,
      handler: async () => {
        calls++;
        return { kind: 'error', error };
      },
      onOutcome: (_key, _result, action) => outcomes.push(action.action),
    });
    queue.add('a');
    await scheduler.advance(3_600_000);
    expect(calls).toBe(1);
    expect(outcomes).toEqual(['drop']);
    expect(scheduler.pending()).toBe(0);
  });

  it('treats a thrown (unexpected) error like a transient one', async () => {
    const { queue, calls, scheduler } = setup((_k, call) => {
      if (call === 1) throw new Error('boom');
      return ok;
    });
    queue.add('a');
    await scheduler.advance(100);
    expect(calls).toHaveLength(2);
  });

  it('honours requeue-after and an immediate add overrides a later delayed one', async () => {
    const { queue, calls, scheduler } = setup((_k, call) => (call === 1 ? { kind: 'requeue-after', delayMs: 60_000 } : ok));
    queue.add('a');
    await scheduler.advance(1000);
    expect(calls).toHaveLength(1);
    expect(queue.depth()).toBe(1);
    queue.add('a');
    await flush();
    expect(calls).toHaveLength(2);
    await scheduler.advance(120_000);
    expect(calls).toHaveLength(2);
  });

  it('stop() cancels delayed retries and takes no more work', async () => {
    const { queue, calls, scheduler } = setup(() => ({ kind: 'error', error: new TransientError('X', 'x') }));
    queue.add('a');
    await flush();
    await queue.stop();
    queue.add('b');
    await scheduler.advance(10_000);
    expect(calls).toHaveLength(1);
    expect(scheduler.pending()).toBe(0);
  });
});
