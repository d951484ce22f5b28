import { KvError } from '../../../../scripts/kv-emulator/kv-error.js';
import type { NewVersion } from '../../../../scripts/kv-emulator/object-records.js';
import { SecretState, type StateDeps } from '../../../../scripts/kv-emulator/secret-state.js';

function harness(overrides: Partial<StateDeps> = {}) {
  const events: NewVersion[] = [];
  let seconds = 1_700_000_000;
  let counter = 0;
  const deps: StateDeps = {
    nowSeconds: () => seconds,
    newVersionId: () => (counter += 1).toString(16).padStart(32, '0'),
    onNewVersion: (e) => events.push(e),
    ...overrides,
  };
  return { state: new SecretState(deps), events, tick: (s: number) => (seconds += s) };
}

function kvErrorOf(fn: () => unknown): KvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KvError) return error;
    throw error;
  }
  throw new Error('expected a KvError');
}

describe('SecretState', () => {
  it('appends versions, serves the latest and any version, and emits one event per version without the value', () => {
    const { state, events } = harness();
    const first = state.set('Db-Password', { value: 'one', nbf: 10, exp: 20 });
    const second = state.set('db-password', { value: 'two' });

    expect(state.get('DB-PASSWORD').record.version).toBe(second.record.version);
    expect(state.get('db-password', first.record.version).record.value).toBe('one');
    expect(state.get('db-password').name).toBe('Db-Password');
    expect(events).toEqual([
      { objectType: 'Secret', name: 'Db-Password', version: first.record.version, nbf: 10, exp: 20 },
      { objectType: 'Secret', name: 'Db-Password', version: second.record.version, nbf: undefined, exp: undefined },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/"one"|"two"/);
  });

  it('answers unknown names and versions with 404 SecretNotFound', () => {
    const { state } = harness();
    expect(kvErrorOf(() => state.get('missing'))).toMatchObject({ status: 404, code: 'SecretNotFound' });
    state.set('present', { value: 'x' });
    expect(kvErrorOf(() => state.get('present', 'f'.repeat(32)))).toMatchObject({ status: 404, code: 'SecretNotFound' });
  });

  it('refuses to read a disabled version with 403 SecretDisabled but still serves its properties', () => {
    const { state, tick } = harness();
    const { record } = state.set('s', { value: 'x', enabled: false });
    const error = kvErrorOf(() => state.get('s'));
    expect(error.body()).toEqual({
      error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } },
    });
    tick(5);
    state.update('s', record.version, { enabled: true, contentType: 'text/plain', tags: { a: 'b' } });
    expect(state.get('s').record).toMatchObject({ contentType: 'text/plain', tags: { a: 'b' }, attributes: { enabled: true, updated: record.attributes.created + 5 } });
  });

  it('leaves unspecified attributes alone on update and emits no event', () => {
    const { state, events } = harness();
    state.set('s', { value: 'x', contentType: 'keep', exp: 99 });
    state.update('s', undefined, { enabled: false });
    expect(state.properties('s').record).toMatchObject({ contentType: 'keep', attributes: { enabled: false, exp: 99 } });
    expect(events).toHaveLength(1);
  });

  it('rejects invalid names and oversized values and stores nothing', () => {
    const { state, events } = harness();
    expect(kvErrorOf(() => state.set('bad_name', { value: 'x' })).code).toBe('BadParameter');
    expect(kvErrorOf(() => state.set('big', { value: 'x'.repeat(25 * 1024 + 1) })).message).not.toContain('xxx');
    expect(state.list()).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('soft-deletes: the name is reserved until purged or recovered', () => {
    const { state } = harness();
    state.set('gone', { value: 'v1' });
    const deleted = state.delete('gone');
    expect(deleted.scheduledPurgeDate - deleted.deletedDate).toBe(90 * 86_400);
    expect(kvErrorOf(() => state.get('gone')).status).toBe(404);
    expect(kvErrorOf(() => state.set('gone', { value: 'v2' }))).toMatchObject({ status: 409, innerCode: 'ObjectIsDeletedButRecoverable' });
    expect(state.recover('gone').record.value).toBe('v1');
    state.delete('gone');
    state.purge('gone');
    expect(kvErrorOf(() => state.getDeleted('gone')).status).toBe(404);
    expect(state.set('gone', { value: 'v3' }).record.value).toBe('v3');
  });

  it('protects a certificate-backed secret from the secrets API and emits no secret event for it', () => {
    const { state, events } = harness();
    state.set('cert', { value: 'pem' }, { managed: true, version: 'a'.repeat(32) });
    expect(events).toHaveLength(0);
    expect(kvErrorOf(() => state.set('cert', { value: 'other' })).status).toBe(403);
    expect(kvErrorOf(() => state.update('cert', undefined, { enabled: false })).status).toBe(403);
    expect(kvErrorOf(() => state.delete('cert')).status).toBe(403);
    expect(state.get('cert').record.value).toBe('pem');
  });

  it('lists objects sorted by name, case-insensitively', () => {
    const { state } = harness();
    for (const name of ['b', 'C', 'a']) state.set(name, { value: 'x' });
    expect(state.list().map((e) => e.name)).toEqual(['a', 'b', 'C']);
  });
});
