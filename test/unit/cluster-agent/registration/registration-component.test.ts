import { pino } from 'pino';
import { Registry } from 'prom-client';
import { TerminalError, TransientError } from '../../../../core/errors.js';
import type { VaultObjectRef } from '../../../../core/ports/vault-object-store.js';
import type { Subscription } from '../../../../core/registry/registration.js';
import type { RegistrationAnswer } from '../../../../cluster-agent/registration/registration-client.js';
import { registrationComponent } from '../../../../cluster-agent/registration/registration-component.js';
import type { RegistrationConfig } from '../../../../cluster-agent/registration/registration-config.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

const config: RegistrationConfig = {
  url: 'https://fn.example/api/clusters/c1/registration', cluster: 'c1', delivery: 'queue', endpoint: undefined, caPem: undefined,
  intervalMs: 60_000, debounceMs: 1000, timeoutMs: 5000,
};
const ok: RegistrationAnswer = { keyId: 'k1', written: 1, deleted: 0, subscriptions: 1, queueName: undefined };

function setup(answers: (() => Promise<RegistrationAnswer>)[] = []) {
  const scheduler = new ManualScheduler();
  const objects: VaultObjectRef[] = [{ vault: 'kv1', objectType: 'secret', name: 'db' }];
  const sent: Subscription[][] = [];
  const lines: string[] = [];
  const registry = new Registry();
  const component = registrationComponent(config, {
    client: { register: async (set) => (sent.push([...set]), (answers.shift() ?? (async () => ok))()) },
    objects: () => objects, queueName: 'akvsync-q-c1', scheduler, registry,
    logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }),
  });
  return { scheduler, objects, sent, lines, registry, component };
}

describe('registration component', () => {
  it('is leader only, registers at start, heartbeats every interval, and stops', async () => {
    const { scheduler, sent, component, registry } = setup();
    expect(component.leaderOnly).toBe(true);
    await component.start();
    await scheduler.advance(0);
    expect(sent).toEqual([[{ vault: 'kv1', objectType: 'Secret', objectName: 'db' }]]);
    await scheduler.advance(59_000);
    expect(sent).toHaveLength(1);
    await scheduler.advance(1000);
    expect(sent).toHaveLength(2);
    expect(await registry.getSingleMetricAsString('akvsync_registrations_total')).toContain('akvsync_registrations_total{outcome="ok"} 2');
    await component.stop();
    await scheduler.advance(120_000);
    expect(sent).toHaveLength(2);
  });

  it('sends a changed set once it stayed the same for one debounce period (a burst of CR changes is one request)', async () => {
    const { scheduler, objects, sent, component } = setup();
    await component.start();
    await scheduler.advance(0);
    objects.push({ vault: 'kv1', objectType: 'certificate', name: 'tls' });
    await scheduler.advance(1000);
    objects.push({ vault: 'kv2', objectType: 'secret', name: 'api' });
    await scheduler.advance(1000);
    expect(sent).toHaveLength(1);
    await scheduler.advance(1000);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toHaveLength(3);
    await scheduler.advance(5000);
    expect(sent).toHaveLength(2);
    await component.stop();
  });

  it('retries a transient failure with backoff, and waits for the next heartbeat after a refusal', async () => {
    const { scheduler, sent, component, lines } = setup([
      () => Promise.reject(new TransientError('RegistrationUnavailable', 'the Function answered 503')),
      () => Promise.reject(new TerminalError('RegistrationInvalid', 'the Function refused the registration: endpoint: bad')),
    ]);
    await component.start();
    await scheduler.advance(0);
    expect(sent).toHaveLength(1);
    await scheduler.advance(2000);
    expect(sent).toHaveLength(2);
    await scheduler.advance(59_000);
    expect(sent).toHaveLength(2);
    await scheduler.advance(1000);
    expect(sent).toHaveLength(3);
    expect(lines.some((l) => l.includes('registration failed; retrying') && l.includes('RegistrationUnavailable'))).toBe(true);
    expect(lines.some((l) => l.includes('registration refused') && l.includes('endpoint: bad'))).toBe(true);
    await component.stop();
  });

  it('says so when the Function delivers to another queue than the one the agent drains', async () => {
    const { scheduler, component, lines } = setup([async () => ({ ...ok, queueName: 'akvsync-q-other' })]);
    await component.start();
    await scheduler.advance(0);
    expect(lines.some((l) => l.includes('another queue than AKVSYNC_QUEUE_NAME') && l.includes('akvsync-q-other'))).toBe(true);
    await component.stop();
  });

  it('sends nothing while the set cannot be computed (an empty set would unsubscribe the cluster)', async () => {
    const { scheduler, objects, sent, component, lines } = setup();
    const many = Array.from({ length: 2001 }, (_, i): VaultObjectRef => ({ vault: `kv${i}`, objectType: 'secret', name: 'x' }));
    objects.push(...many);
    await component.start();
    await scheduler.advance(120_000);
    expect(sent).toEqual([]);
    expect(lines.some((l) => l.includes('TooManySubscriptions') && l.includes('nothing sent'))).toBe(true);
    await component.stop();
  });
});
