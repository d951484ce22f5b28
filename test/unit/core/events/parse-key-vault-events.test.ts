import { parseKeyVaultEvents } from '../../../../core/events/parse-key-vault-events.js';
import type { ParsedDelivery, RejectedEvent } from '../../../../core/events/key-vault-event.js';
import {
  FIXTURE_TOPIC,
  FIXTURE_VAULT,
  FIXTURE_VERSION,
  cloudEventItem,
  eventGridItem,
  keyVaultEvent,
  loadEventFixture,
} from '../../../support/key-vault-events.js';

const onlyRejection = (p: ParsedDelivery): RejectedEvent => {
  expect(p.events).toEqual([]);
  expect(p.rejected).toHaveLength(1);
  return p.rejected[0]!;
};

const invalidReason = (item: unknown): string => {
  const r = onlyRejection(parseKeyVaultEvents([item]));
  expect(r.outcome).toBe('invalid');
  return r.reason;
};

describe('parseKeyVaultEvents: the nine handled event types (fixtures)', () => {
  const cases = [
    ['secret', 'Secret', 'secrets', 'db-password'],
    ['certificate', 'Certificate', 'certificates', 'ingress-tls'],
    ['key', 'Key', 'keys', 'signing-key'],
  ] as const;
  const kinds = [
    ['new-version-created', 'NewVersionCreated'],
    ['near-expiry', 'NearExpiry'],
    ['expired', 'Expired'],
  ] as const;
  for (const [file, objectType, , objectName] of cases) {
    for (const [kindFile, kind] of kinds) {
      it(`parses Microsoft.KeyVault.${objectType}${kind}`, () => {
        const p = parseKeyVaultEvents(loadEventFixture(`eventgrid-${file}-${kindFile}.json`));
        expect(p.rejected).toEqual([]);
        expect(p.events).toHaveLength(1);
        expect(p.events[0]).toMatchObject({
          eventType: `Microsoft.KeyVault.${objectType}${kind}`,
          kind,
          objectType,
          vault: FIXTURE_VAULT,
          objectName,
          vaultResourceId: FIXTURE_TOPIC,
          notBefore: 1741684542,
          expires: 1744329600,
        });
      });
    }
  }
});

describe('parseKeyVaultEvents: schemas and shapes', () => {
  it('accepts a single event object, not only an array', () => {
    const p = parseKeyVaultEvents(loadEventFixture('eventgrid-single.json'));
    expect(p.rejected).toEqual([]);
    expect(p.events).toEqual([
      keyVaultEvent({ eventId: '5b1f3e8a-0c7d-4a2b-9e6f-3d8c1a7b4e20', notBefore: undefined, expires: undefined }),
    ]);
  });

  it('parses a batch, keeping input order and ignoring VaultAccessPolicyChanged', () => {
    const p = parseKeyVaultEvents(loadEventFixture('eventgrid-batch.json'));
    expect(p.events.map((e) => [e.objectName, e.version, e.kind])).toEqual([
      ['db-password', 'a4c1e9d27f3b4e6a8c0d2f4b6e8a1c3d', 'NewVersionCreated'],
      ['db-password', FIXTURE_VERSION, 'NewVersionCreated'],
      ['ingress-tls', '7f1c0b2a9d3e4c5b8a6f1e2d3c4b5a69', 'NearExpiry'],
    ]);
    expect(p.rejected).toEqual([
      {
        index: 3,
        eventId: '9e2d4c6a-1b3f-4e5d-8a7c-0f1e2d3c4b5a',
        eventType: 'Microsoft.KeyVault.VaultAccessPolicyChanged',
        outcome: 'ignored',
        reason: 'event type "Microsoft.KeyVault.VaultAccessPolicyChanged" is not handled',
      },
    ]);
  });

  it('parses CloudEvents 1.0 (detected by specversion)', () => {
    const p = parseKeyVaultEvents(loadEventFixture('cloudevents-secret-new-version-created.json'));
    expect(p.rejected).toEqual([]);
    expect(p.events).toEqual([keyVaultEvent({ eventId: 'c0ffee00-95a7-4e7c-8299-2eb17ee9ad64', expires: undefined })]);
  });

  it('tells the schemas apart per item in a mixed batch', () => {
    const p = parseKeyVaultEvents([eventGridItem(), cloudEventItem()]);
    expect(p.rejected).toEqual([]);
    expect(p.events.map((e) => e.eventId)).toEqual([
      '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
      'c0ffee00-95a7-4e7c-8299-2eb17ee9ad64',
    ]);
  });

  it('matches camelCase data keys (docs and @azure/eventgrid typings) and numeric nbf/exp', () => {
    const p = parseKeyVaultEvents(loadEventFixture('eventgrid-camelcase-docs.json'));
    expect(p.rejected).toEqual([]);
    expect(p.events).toEqual([keyVaultEvent({ eventId: '3f6b2a9c-7d1e-4c8b-a5f0-6e2d9c1b4a73' })]);
  });

  it('trims stray spaces in data keys and values', () => {
    const p = parseKeyVaultEvents(loadEventFixture('eventgrid-stray-spaces.json'));
    expect(p.rejected).toEqual([]);
    expect(p.events[0]).toMatchObject({ objectName: 'db-password', version: FIXTURE_VERSION });
  });

  it('matches envelope keys case-insensitively and trims envelope values', () => {
    const item = eventGridItem({ envelope: { eventType: undefined, EVENTTYPE: ' Microsoft.KeyVault.SecretNewVersionCreated ' } });
    expect(parseKeyVaultEvents(item).events).toHaveLength(1);
  });

  it('matches the event type case-insensitively and reports it in canonical form', () => {
    const p = parseKeyVaultEvents(eventGridItem({ envelope: { eventType: 'microsoft.keyvault.secretnewversioncreated' } }));
    expect(p.events[0]?.eventType).toBe('Microsoft.KeyVault.SecretNewVersionCreated');
  });

  it('lower-cases the vault name (vault names are case-insensitive)', () => {
    const p = parseKeyVaultEvents(eventGridItem({ data: { VaultName: 'KV-Akvsync-PROD' } }));
    expect(p.events[0]?.vault).toBe(FIXTURE_VAULT);
  });

  it('returns nothing for an empty batch', () => {
    expect(parseKeyVaultEvents([])).toEqual({ events: [], rejected: [] });
  });

  it('accepts an event without topic (Event Grid schema) or subject', () => {
    const p = parseKeyVaultEvents(eventGridItem({ envelope: { topic: undefined, subject: undefined } }));
    expect(p.events).toEqual([keyVaultEvent({ vaultResourceId: undefined })]);
  });
});

describe('parseKeyVaultEvents: NBF and EXP', () => {
  it.each([
    ['a numeric string', '1741684542', 1741684542],
    ['a numeric string with spaces', ' 1741684542 ', 1741684542],
    ['a number', 1741684542, 1741684542],
    ['null', null, undefined],
    ['a blank string', '  ', undefined],
    ['missing', undefined, undefined],
  ])('accepts %s', (_label, wire, expected) => {
    const p = parseKeyVaultEvents(eventGridItem({ data: { NBF: wire, EXP: wire } }));
    expect(p.rejected).toEqual([]);
    expect(p.events[0]).toMatchObject({ notBefore: expected, expires: expected });
  });

  it.each([
    ['text', 'soon'],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['a boolean', true],
    ['an object', { seconds: 1 }],
  ])('rejects %s, naming the field', (_label, wire) => {
    expect(invalidReason(eventGridItem({ data: { NBF: wire } }))).toMatch(/^data\.NBF: expected epoch seconds/);
    expect(invalidReason(eventGridItem({ data: { EXP: wire } }))).toMatch(/^data\.EXP: expected epoch seconds/);
  });
});

describe('parseKeyVaultEvents: cross-checks', () => {
  const otherVersion = '0123456789abcdef0123456789abcdef';
  it.each([
    ['VaultName vs the host in Id', { VaultName: 'kv-other' }, 'data.VaultName: does not match the vault in data.Id'],
    ['ObjectName vs Id', { ObjectName: 'other-secret' }, 'data.ObjectName: does not match the name in data.Id'],
    ['Version vs Id', { Version: otherVersion }, 'data.Version: does not match the version in data.Id'],
    ['ObjectType vs the event type', { ObjectType: 'Key' }, 'data.ObjectType: "Key" does not match event type Microsoft.KeyVault.SecretNewVersionCreated'],
    [
      'the collection in Id vs ObjectType',
      { Id: `https://${FIXTURE_VAULT}.vault.azure.net/keys/db-password/${FIXTURE_VERSION}` },
      'data.Id: collection "keys" does not match ObjectType Secret',
    ],
  ])('rejects a mismatch of %s', (_label, data, reason) => {
    expect(invalidReason(eventGridItem({ data }))).toBe(reason);
  });

  it('rejects a topic naming another vault', () => {
    const topic = FIXTURE_TOPIC.replace(/vaults\/.*$/, 'vaults/kv-other');
    expect(invalidReason(eventGridItem({ envelope: { topic } }))).toBe('topic: vault does not match data.VaultName');
  });

  it('rejects a topic that is not a Key Vault resource id', () => {
    const topic = FIXTURE_TOPIC.replace('Microsoft.KeyVault/vaults', 'Microsoft.Storage/storageAccounts');
    expect(invalidReason(eventGridItem({ envelope: { topic } }))).toBe('topic: not a Key Vault resource id');
  });

  it('rejects a CloudEvents source naming another vault, and a missing source', () => {
    const source = FIXTURE_TOPIC.replace(/vaults\/.*$/, 'vaults/kv-other');
    expect(invalidReason(cloudEventItem({ envelope: { source } }))).toBe('source: vault does not match data.VaultName');
    expect(invalidReason(cloudEventItem({ envelope: { source: undefined } }))).toBe('source: missing');
  });

  it('rejects a subject that is not the object name', () => {
    expect(invalidReason(eventGridItem({ envelope: { subject: 'other-secret' } }))).toBe('subject: does not match data.ObjectName');
  });

  it('compares names and versions case-insensitively', () => {
    const p = parseKeyVaultEvents(eventGridItem({ data: { ObjectName: 'DB-Password', Version: FIXTURE_VERSION.toUpperCase() } }));
    expect(p.rejected).toEqual([]);
  });

  it.each([
    ['Azure China', 'vault.azure.cn'],
    ['Azure US Government', 'vault.usgovcloudapi.net'],
  ])('accepts an Id in %s', (_cloud, suffix) => {
    const Id = `https://${FIXTURE_VAULT}.${suffix}/secrets/db-password/${FIXTURE_VERSION}`;
    expect(parseKeyVaultEvents(eventGridItem({ data: { Id } })).events).toHaveLength(1);
  });

  it('accepts a plain emulator host, where the vault name cannot be read from the host', () => {
    const Id = `https://127.0.0.1:8443/secrets/db-password/${FIXTURE_VERSION}`;
    expect(parseKeyVaultEvents(eventGridItem({ data: { Id } })).events).toHaveLength(1);
    const wrongName = `https://127.0.0.1:8443/secrets/other/${FIXTURE_VERSION}`;
    expect(invalidReason(eventGridItem({ data: { Id: wrongName } }))).toBe('data.ObjectName: does not match the name in data.Id');
  });

  it.each([
    ['not a URL', 'db-password', 'data.Id: is not a URL'],
    ['plain http', `http://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${FIXTURE_VERSION}`, 'data.Id: is not an https URL'],
    ['an unknown vault-like host', `https://${FIXTURE_VAULT}.vault.example.com/secrets/db-password/${FIXTURE_VERSION}`, 'data.Id: has a host that is not a known Key Vault host'],
    ['a path without version', `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password`, 'data.Id: is not of the form https://<vault host>/<collection>/<name>/<version>'],
    ['a query string', `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${FIXTURE_VERSION}?x=1`, 'data.Id: has a query, fragment or credentials'],
  ])('rejects an Id that is %s', (_label, Id, reason) => {
    expect(invalidReason(eventGridItem({ data: { Id } }))).toBe(reason);
  });
});

describe('parseKeyVaultEvents: malformed items', () => {
  it.each([
    ['id', { id: undefined }, 'id: missing'],
    ['eventTime', { eventTime: undefined }, 'eventTime: missing'],
    ['eventTime (not a date)', { eventTime: 'yesterday' }, 'eventTime: expected an ISO-8601 date-time, got "yesterday"'],
    ['data', { data: 'nope' }, 'data: expected an object, got "nope"'],
    ['id (wrong type)', { id: 42 }, 'id: expected a string, got 42'],
  ])('names the envelope field: %s', (_label, envelope, reason) => {
    expect(invalidReason(eventGridItem({ envelope }))).toBe(reason);
  });

  it.each(['Id', 'VaultName', 'ObjectType', 'ObjectName', 'Version'])('names the missing data field %s', (field) => {
    expect(invalidReason(eventGridItem({ data: { [field]: undefined } }))).toBe(`data.${field}: missing`);
  });

  it('names a malformed vault name, object name and version', () => {
    expect(invalidReason(eventGridItem({ data: { VaultName: 'kv_bad!' } }))).toMatch(/^data\.VaultName: not a vault name/);
    expect(invalidReason(eventGridItem({ data: { ObjectName: 'a/b' } }))).toMatch(/^data\.ObjectName: not an object name/);
    expect(invalidReason(eventGridItem({ data: { Version: 'v 1' } }))).toMatch(/^data\.Version: not a version id/);
  });

  it('rejects an unsupported CloudEvents specversion', () => {
    expect(invalidReason(cloudEventItem({ envelope: { specversion: '0.3' } }))).toBe('specversion: unsupported "0.3"');
  });

  it('rejects CloudEvents without time', () => {
    expect(invalidReason(cloudEventItem({ envelope: { time: undefined } }))).toBe('time: missing');
  });

  it.each([null, 'text', 42, [1]])('rejects a non-object item %p', (item) => {
    const r = onlyRejection(parseKeyVaultEvents([item]));
    expect(r).toMatchObject({ index: 0, outcome: 'invalid', eventId: undefined });
    expect(r.reason).toMatch(/^item: expected an object/);
  });

  it('rejects a body that is neither an object nor an array', () => {
    expect(onlyRejection(parseKeyVaultEvents('not json')).reason).toBe('item: expected an object, got "not json"');
  });

  it('never lets one bad item block the rest', () => {
    const p = parseKeyVaultEvents([eventGridItem({ data: { Version: undefined } }), null, eventGridItem({ envelope: { id: 'good' } })]);
    expect(p.events.map((e) => e.eventId)).toEqual(['good']);
    expect(p.rejected.map((r) => [r.index, r.outcome])).toEqual([[0, 'invalid'], [1, 'invalid']]);
  });

  it('caps untrusted content echoed into reasons and ids', () => {
    const huge = 'x'.repeat(10_000);
    const r = onlyRejection(parseKeyVaultEvents([eventGridItem({ envelope: { id: huge }, data: { ObjectName: `${huge}/` } })]));
    expect(r.eventId!.length).toBeLessThanOrEqual(129);
    expect(r.reason.length).toBeLessThan(200);
    expect(r.reason).toMatch(/^id: /);
    expect(invalidReason(eventGridItem({ data: { ObjectName: `${huge}/` } })).length).toBeLessThan(200);
  });
});

describe('parseKeyVaultEvents: ignored types', () => {
  it.each([
    ['VaultAccessPolicyChanged', 'eventgrid-vault-access-policy-changed.json'],
    ['the subscription validation handshake', 'eventgrid-subscription-validation.json'],
  ])('ignores %s without error', (_label, fixture) => {
    const r = onlyRejection(parseKeyVaultEvents(loadEventFixture(fixture)));
    expect(r.outcome).toBe('ignored');
  });

  it('ignores unknown types even when the rest of the item is malformed', () => {
    const r = onlyRejection(parseKeyVaultEvents([{ eventType: 'Contoso.Items.ItemSold', data: 7 }]));
    expect(r).toEqual({ index: 0, eventId: undefined, eventType: 'Contoso.Items.ItemSold', outcome: 'ignored', reason: 'event type "Contoso.Items.ItemSold" is not handled' });
  });

  it('reports an item with no type at all as invalid', () => {
    expect(invalidReason(eventGridItem({ envelope: { eventType: undefined } }))).toBe('eventType: missing');
  });
});
