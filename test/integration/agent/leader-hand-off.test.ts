/**
 * The hand-off to the leader over real TLS trusts exactly the certificate the replicas share: a leader serving it is
 * reached (its answer passed back as is); a server with any other certificate — even one from the same CA — is not.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createNotifyServer } from '../../../cluster-agent/http/notify-server.js';
import { LeaderHandOff } from '../../../cluster-agent/intake/leader-hand-off.js';
import { NotificationIntake } from '../../../cluster-agent/intake/notification-intake.js';
import { SeenEvents } from '../../../cluster-agent/intake/seen-events.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import { signNotification } from '../../../core/notification/signature.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { getTestStack } from '../support/stack-client.js';

describe('agent: hand-off to the leader (pinned TLS)', () => {
  let app: FastifyInstance;
  let address: string;
  let cert: { certPem: string; keyPem: string };
  const key = { keyId: 'k1', key: new Uint8Array(32).fill(4) };
  beforeAll(async () => {
    cert = issueLoopbackServerCert(getTestStack().ca);
    const logger = createLogger('silent');
    const clock = { now: () => Date.now() };
    const intake = new NotificationIntake({ keyring: new Map([[key.keyId, key.key]]), clock, seen: new SeenEvents(clock), isReady: () => true, accept: () => undefined, logger });
    app = await createNotifyServer({ tls: cert, intake, isReady: () => true, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    address = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const body = JSON.stringify({ vault: 'kv1', objectType: 'Secret', objectName: 'x', version: 'v1', eventType: 'Microsoft.KeyVault.SecretNewVersionCreated', eventId: 'h1', eventTime: '2026-01-01T00:00:00Z' });

  it('reaches a leader serving the shared certificate and passes its answer back', async () => {
    const handOff = new LeaderHandOff({ leaderAddress: () => address, certPem: () => cert.certPem });
    const answer = await handOff.forward(signNotification(key, Math.floor(Date.now() / 1000), body));
    expect(answer).toMatchObject({ status: 202, body: { status: 'accepted' } });
    const again = await handOff.forward(signNotification(key, Math.floor(Date.now() / 1000), body));
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    handOff.close();
  });

  it('refuses a server with another certificate from the same CA (nothing is sent)', async () => {
    const other = issueLoopbackServerCert(getTestStack().ca);
    const handOff = new LeaderHandOff({ leaderAddress: () => address, certPem: () => other.certPem });
    expect(await handOff.forward(signNotification(key, Math.floor(Date.now() / 1000), body.replace('h1', 'h2')))).toBeUndefined();
    handOff.close();
  });

  it('answers nothing when no leader is known', async () => {
    const handOff = new LeaderHandOff({ leaderAddress: () => undefined, certPem: () => cert.certPem });
    expect(handOff.active).toBe(false);
    expect(await handOff.forward(signNotification(key, Math.floor(Date.now() / 1000), body))).toBeUndefined();
  });
});
