/**
 * The stack's CA (tls.ts) issues certificates that chain to it, and this test process trusts it
 * (trust-local-ca.ts): HTTPS to a loopback server with such a certificate verifies, one from another CA does not.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createTestCa, issueCertificate, issueLoopbackServerCert, type PemPair } from '../../../scripts/local-stack/tls.js';
import { getTestStack } from '../support/stack-client.js';

const { ca } = getTestStack();

async function serve(pair: PemPair): Promise<Server> {
  const server = createServer({ cert: pair.certPem, key: pair.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const urlOf = (server: Server): string => `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('the local CA', () => {
  it('issues certificates that chain to it, with the requested names and usages', () => {
    const leaf = new X509Certificate(issueCertificate(ca, { hosts: ['127.0.0.1', 'agent.local'], clientAuth: true, organization: 'system:masters' }).certPem);
    const root = new X509Certificate(ca.certPem);

    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('IP Address:127.0.0.1, DNS:agent.local');
    expect(leaf.subject).toContain('O=system:masters');
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(leaf.verify(new X509Certificate(createTestCa('someone else').certPem).publicKey)).toBe(false);
  });

  it('lets a process trust several test CAs of the same name (certificates name their issuer key)', async () => {
    const namesake = createTestCa('akvsync local stack CA'); // same subject as the stack's CA
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), namesake.certPem]);
    const server = await serve(issueLoopbackServerCert(namesake));
    try {
      expect(await (await fetch(urlOf(server))).text()).toBe('ok');
    } finally {
      await close(server);
    }
  });

  it('is trusted by fetch in test workers; a certificate from another CA is not', async () => {
    const trusted = await serve(issueLoopbackServerCert(ca));
    const untrusted = await serve(issueLoopbackServerCert(createTestCa('untrusted CA')));
    try {
      expect(await (await fetch(urlOf(trusted))).text()).toBe('ok');
      await expect(fetch(urlOf(untrusted))).rejects.toThrow();
    } finally {
      await Promise.all([close(trusted), close(untrusted)]);
    }
  });
});
