/**
 * Key rotation and certificate renewal without a restart: the notify server's TLS certificate and the signing keyring
 * are re-read from their files (real files, real TLS) and swapped in; a bad new file keeps the running one and is
 * logged without its content.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { FileReloader } from '../../../cluster-agent/adapters/file-reloader.js';
import { createNotifyServer } from '../../../cluster-agent/http/notify-server.js';
import { NotificationIntake } from '../../../cluster-agent/intake/notification-intake.js';
import { SeenEvents } from '../../../cluster-agent/intake/seen-events.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import { keyringReloadTarget, tlsReloadTarget } from '../../../cluster-agent/reload-targets.js';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import { signNotification } from '../../../core/notification/signature.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { getTestStack } from '../support/stack-client.js';

const keyringJson = (keyId: string, key: Uint8Array): string => JSON.stringify({ [keyId]: Buffer.from(key).toString('base64') });
const body = (eventId: string): string => JSON.stringify({
  vault: 'kv1', objectType: 'Secret', objectName: 'db', version: 'v1', eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
  eventId, eventTime: '2026-01-01T00:00:00Z',
});

describe('agent: TLS certificate and keyring reloaded on change', () => {
  let dir: string;
  let app: FastifyInstance;
  let port: number;
  let intake: NotificationIntake;
  let reloader: FileReloader;
  const logLines: string[] = [];
  const oldKey = { keyId: 'k-2026-01', key: new Uint8Array(randomBytes(32)) };
  const newKey = { keyId: 'k-2026-02', key: new Uint8Array(randomBytes(32)) };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'akvsync-reload-'));
    const first = issueLoopbackServerCert(getTestStack().ca);
    writeFileSync(join(dir, 'tls.crt'), first.certPem);
    writeFileSync(join(dir, 'tls.key'), first.keyPem);
    writeFileSync(join(dir, 'keys.json'), keyringJson(oldKey.keyId, oldKey.key));
    const logger = createLogger('debug', { write: (l: string) => void logLines.push(l) });
    const clock = { now: () => Date.now() };
    intake = new NotificationIntake({ keyring: new Map([[oldKey.keyId, oldKey.key]]), clock, seen: new SeenEvents(clock), isReady: () => true, accept: () => undefined, logger });
    app = await createNotifyServer({ tls: first, intake, isReady: () => true, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    reloader = new FileReloader({
      targets: [tlsReloadTarget(app.server as Server, join(dir, 'tls.crt'), join(dir, 'tls.key')), keyringReloadTarget(intake, join(dir, 'keys.json'))],
      scheduler: systemScheduler, intervalMs: 3600_000, logger,
    });
    await reloader.start();
  });
  afterAll(async () => {
    await reloader?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const servedSerial = (): Promise<string> => new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: getTestStack().ca.certPem, servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()?.serialNumber ?? '');
      socket.destroy();
    });
    socket.on('error', reject);
  });
  const now = (): number => Math.floor(Date.now() / 1000);

  it('nothing changed: nothing reloaded', async () => {
    expect(await reloader.checkOnce()).toEqual([]);
  });

  it('serves a renewed certificate after the files change, on the same listener', async () => {
    const before = await servedSerial();
    const renewed = issueLoopbackServerCert(getTestStack().ca);
    writeFileSync(join(dir, 'tls.crt'), renewed.certPem);
    writeFileSync(join(dir, 'tls.key'), renewed.keyPem);
    expect(await reloader.checkOnce()).toEqual(['AKVSYNC_TLS_CERT_FILE/AKVSYNC_TLS_KEY_FILE']);
    const after = await servedSerial();
    expect(after).not.toBe(before);
  });

  it('a certificate whose key does not match keeps the running one, logged without content', async () => {
    const serving = await servedSerial();
    const a = issueLoopbackServerCert(getTestStack().ca);
    const b = issueLoopbackServerCert(getTestStack().ca);
    writeFileSync(join(dir, 'tls.crt'), a.certPem);
    writeFileSync(join(dir, 'tls.key'), b.keyPem);
    expect(await reloader.checkOnce()).toEqual([]);
    expect(await servedSerial()).toBe(serving);
    const warning = logLines.find((l) => l.includes('changed file refused'));
    expect(warning).toContain('InvalidTlsFiles');
    expect(logLines.join('\n')).not.toContain(b.keyPem.split('\n')[1]!);
  });

  it('verifies with a rotated keyring: the new key is accepted, the removed one refused', async () => {
    expect(intake.receive(signNotification(oldKey, now(), body('e1')), 'push').outcome).toBe('accepted');
    writeFileSync(join(dir, 'keys.json'), keyringJson(newKey.keyId, newKey.key));
    expect(await reloader.checkOnce()).toEqual(['AKVSYNC_SIGNING_KEYS_FILE']);
    expect(intake.receive(signNotification(newKey, now(), body('e2')), 'push').outcome).toBe('accepted');
    expect(intake.receive(signNotification(oldKey, now(), body('e3')), 'push')).toEqual({ outcome: 'unauthorized', reason: 'unknown-key' });
  });

  it('a broken keyring file keeps the running keyring and is logged once, without key material', async () => {
    const short = Buffer.from(randomBytes(8)).toString('base64');
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ [newKey.keyId]: short }));
    expect(await reloader.checkOnce()).toEqual([]);
    expect(await reloader.checkOnce()).toEqual([]);
    expect(intake.receive(signNotification(newKey, now(), body('e4')), 'push').outcome).toBe('accepted');
    expect(logLines.filter((l) => l.includes('AKVSYNC_SIGNING_KEYS_FILE') && l.includes('InvalidKeyring'))).toHaveLength(1);
    expect(logLines.join('\n')).not.toContain(short);
  });
});
