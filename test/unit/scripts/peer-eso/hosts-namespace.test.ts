import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caBundleWith, hostsNamespaceCommand, randomLoopbackAddress } from '../../../../scripts/peer-eso/hosts-namespace.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hosts-namespace-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hostsNamespaceCommand', () => {
  it('writes the mappings ahead of the machine hosts file and passes each name=address to the guard script', () => {
    const [command, args] = hostsNamespaceCommand(dir, { 'login.microsoftonline.com': '127.40.1.2' }, '/opt/eso', ['--concurrent=4']);
    expect(command).toBe('/bin/sh');
    expect(args.slice(1)).toEqual([path.join(dir, 'hosts'), 'login.microsoftonline.com=127.40.1.2', '--', '/opt/eso', '--concurrent=4']);
    expect(args[0]).toMatch(/scripts\/peer-eso\/in-hosts-namespace\.sh$/);
    expect(readFileSync(path.join(dir, 'hosts'), 'utf8').split('\n')[0]).toBe('127.40.1.2 login.microsoftonline.com');
  });

  it.each([
    [{ 'login.microsoftonline.com': '10.0.0.1' }, /not a loopback address/],
    [{ 'login.microsoftonline.com': '127.0.0' }, /not a loopback address/],
    [{ 'bad name;rm': '127.0.0.2' }, /not a host name/],
  ])('refuses %j', (mappings, message) => {
    expect(() => hostsNamespaceCommand(dir, mappings, '/bin/true', [])).toThrow(message);
  });
});

describe('randomLoopbackAddress', () => {
  it('is in 127.0.0.0/8 but never in 127.0.0.0/24', () => {
    for (let i = 0; i < 200; i++) {
      const octets = randomLoopbackAddress().split('.').map(Number);
      expect(octets[0]).toBe(127);
      expect(octets[1]).toBeGreaterThanOrEqual(16);
      expect(octets.every((o) => o >= 0 && o <= 255)).toBe(true);
    }
  });
});

describe('caBundleWith', () => {
  it('appends the local CA to the system roots', () => {
    const file = caBundleWith(dir, '-----BEGIN CERTIFICATE-----\nlocal\n-----END CERTIFICATE-----');
    expect(readFileSync(file, 'utf8').trimEnd().endsWith('local\n-----END CERTIFICATE-----')).toBe(true);
  });
});
