import { parseNotificationBody } from '../../../../core/notification/parse-notification.js';
import { notificationBody } from '../../../../core/notification/notification-body.js';
import { MAX_NOTIFICATION_BYTES, type Notification } from '../../../../core/notification/notification.js';
import type { TerminalError } from '../../../../core/errors.js';
import { thrownTerminal } from './thrown.js';

const notification = (overrides: Partial<Record<keyof Notification, unknown>> = {}): Record<string, unknown> => ({
  vault: 'kv-akvsync-prod',
  objectType: 'Secret',
  objectName: 'db-password',
  version: 'ee059b2bb5bc48398a53b168c6cdcb10',
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
  eventId: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
  eventTime: '2025-03-11T09:15:42.1036736Z',
  ...overrides,
});

const parseError = (raw: string): TerminalError => thrownTerminal(() => parseNotificationBody(raw), 'InvalidNotification');

describe('parseNotificationBody', () => {
  it('parses a valid body into exactly the notification fields', () => {
    expect(parseNotificationBody(JSON.stringify(notification()))).toEqual(notification());
  });

  it('round-trips what notificationBody writes', () => {
    const n = notification({ objectType: 'Certificate', eventType: 'Microsoft.KeyVault.CertificateNearExpiry' }) as unknown as Notification;
    expect(parseNotificationBody(notificationBody(n))).toEqual(n);
  });

  it('accepts field order other than the canonical one', () => {
    const reversed = Object.fromEntries(Object.entries(notification()).reverse());
    expect(parseNotificationBody(JSON.stringify(reversed))).toEqual(notification());
  });

  it.each(['vault', 'objectType', 'objectName', 'version', 'eventType', 'eventId', 'eventTime'])('names a missing %s', (field) => {
    expect(parseError(JSON.stringify(notification({ [field]: undefined }))).message).toBe(`notification field "${field}" is missing`);
  });

  it.each([
    ['vault', 'KV-Upper'],
    ['vault', 'x'],
    ['vault', 7],
    ['objectType', 'Vault'],
    ['objectName', ''],
    ['objectName', 'a/b'],
    ['objectName', 'x'.repeat(128)],
    ['version', 'has space'],
    ['version', 'v'.repeat(65)],
    ['eventType', 'Microsoft.KeyVault.VaultAccessPolicyChanged'],
    ['eventType', 'microsoft.keyvault.secretnewversioncreated'],
    ['eventId', ''],
    ['eventId', 'i'.repeat(129)],
    ['eventTime', 'yesterday'],
    ['eventTime', 1741684542],
    ['eventTime', null],
  ])('names a bad %s (%p)', (field, value) => {
    expect(parseError(JSON.stringify(notification({ [field]: value }))).message).toMatch(new RegExp(`^notification field "${field}" must be `));
  });

  it('rejects an eventType about another object type', () => {
    const raw = JSON.stringify(notification({ objectType: 'Key' }));
    expect(parseError(raw).message).toBe('notification field "eventType" does not match "objectType"');
  });

  it('rejects an extra field, naming it but not its value', () => {
    const e = parseError(JSON.stringify(notification({ value: 'hunter2' } as never)));
    expect(e.message).toBe('notification field "value" is not allowed');
    expect(e.message).not.toContain('hunter2');
  });

  it('caps an attacker-chosen field name in the message', () => {
    const e = parseError(JSON.stringify({ ...notification(), ['k'.repeat(2000)]: 1 }));
    expect(e.message.length).toBeLessThan(120);
  });

  it('rejects __proto__ as an extra field', () => {
    expect(parseError(`{"__proto__":{},${JSON.stringify(notification()).slice(1)}`).message).toBe('notification field "__proto__" is not allowed');
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"x"'],
  ])('rejects %s', (_label, raw) => {
    expect(parseError(raw).message).toBe('notification body is not a JSON object');
  });

  it('rejects invalid JSON without quoting it (JSON.parse messages quote input)', () => {
    const raw = '{"vault":"hunter2-secret-value';
    const e = parseError(raw);
    expect(e.message).toBe('notification body is not valid JSON');
    expect(e.message).not.toContain('hunter2');
    expect(String(e.cause ?? '')).not.toContain('hunter2');
  });

  it('rejects a body over the size limit, counting UTF-8 bytes', () => {
    const padding = 'é'.repeat(MAX_NOTIFICATION_BYTES / 2);
    const e = parseError(JSON.stringify(notification({ objectName: padding })));
    expect(e.message).toMatch(new RegExp(`more than ${MAX_NOTIFICATION_BYTES}$`));
    expect(e.message).not.toContain('é');
  });
});
