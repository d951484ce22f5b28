import { createLogger } from '../../../../cluster-agent/logger.js';
import type { Component, LeaderElector } from '../../../../cluster-agent/manager/component.js';
import { alwaysLeader } from '../../../../cluster-agent/manager/component.js';
import { ComponentManager } from '../../../../cluster-agent/manager/component-manager.js';

const logger = createLogger('silent');

function recorder() {
  const log: string[] = [];
  const component = (name: string, leaderOnly: boolean, failStart = false): Component => ({
    name,
    leaderOnly,
    start: async () => {
      log.push(`start ${name}`);
      if (failStart) throw new Error('boom');
    },
    stop: async () => void log.push(`stop ${name}`),
  });
  return { log, component };
}

/** An elector the test drives: leadership comes (or goes) when the test says. */
function manualElector() {
  let callbacks: Parameters<LeaderElector['run']>[0] | undefined;
  const elector: LeaderElector = { run: async (c) => void (callbacks = c), stop: async () => undefined };
  return { elector, lead: () => callbacks!.onStartedLeading(), lose: () => callbacks!.onStoppedLeading() };
}

describe('ComponentManager', () => {
  it('starts every-replica components, then leader-only ones, in order; stops all in reverse order', async () => {
    const r = recorder();
    const m = new ComponentManager(alwaysLeader, logger)
      .add(r.component('ops', false)).add(r.component('queue', true)).add(r.component('notify', false)).add(r.component('informers', true));
    await m.start();
    expect(m.isLeader).toBe(true);
    await m.stop();
    expect(r.log).toEqual(['start ops', 'start notify', 'start queue', 'start informers', 'stop informers', 'stop queue', 'stop notify', 'stop ops']);
  });

  it('starts leader-only components only once this replica leads, and stops only those when leadership is lost', async () => {
    const r = recorder();
    const e = manualElector();
    const m = new ComponentManager(e.elector, logger).add(r.component('notify', false)).add(r.component('informers', true));
    await m.start();
    expect(r.log).toEqual(['start notify']);
    expect(m.isLeader).toBe(false);
    await e.lead();
    expect(r.log).toEqual(['start notify', 'start informers']);
    e.lose();
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.log).toEqual(['start notify', 'start informers', 'stop informers']);
    expect(m.isLeader).toBe(false);
  });

  it('a failed start stops what had started (the failed one included) and rethrows', async () => {
    const r = recorder();
    const m = new ComponentManager(alwaysLeader, logger).add(r.component('ops', false)).add(r.component('informers', true, true)).add(r.component('fallback', true));
    await expect(m.start()).rejects.toThrow('boom');
    expect(r.log).toEqual(['start ops', 'start informers', 'stop informers', 'stop ops']);
  });

  it('refuses two components with one name', () => {
    const r = recorder();
    const m = new ComponentManager(alwaysLeader, logger).add(r.component('ops', false));
    expect(() => m.add(r.component('ops', true))).toThrow(expect.objectContaining({ code: 'DuplicateComponent' }));
  });
});
