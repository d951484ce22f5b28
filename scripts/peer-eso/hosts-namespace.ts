/**
 * Start a process that sees some host names mapped to loopback addresses, and nothing else on the machine does:
 * a private mount namespace with a hosts file bind-mounted over /etc/hosts (in-hosts-namespace.sh, which refuses
 * to start the command unless each name resolves to its loopback address there). Also builds the CA bundle such a
 * process trusts (the system roots plus the local CA) for SSL_CERT_FILE. Needs root.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'in-hosts-namespace.sh');
const SYSTEM_ROOTS = '/etc/ssl/certs/ca-certificates.crt';

/** A random loopback address outside 127.0.0.0/24, so a fixed port (443) on it collides with nobody's 127.0.0.1. */
export function randomLoopbackAddress(): string {
  return `127.${randomInt(16, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
}

/** Writes `<dir>/hosts` (the machine's hosts file plus the mappings) and returns [command, args] to spawn. */
export function hostsNamespaceCommand(dir: string, mappings: Readonly<Record<string, string>>, command: string, args: readonly string[]): [string, string[]] {
  const entries = Object.entries(mappings);
  for (const [name, ip] of entries) {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip)) throw new Error(`hostsNamespaceCommand: ${ip} for ${name} is not a loopback address`);
    if (!/^[a-z0-9.-]+$/i.test(name)) throw new Error(`hostsNamespaceCommand: '${name}' is not a host name`);
  }
  const hostsFile = join(dir, 'hosts');
  const machineHosts = existsSync('/etc/hosts') ? readFileSync('/etc/hosts', 'utf8') : '';
  writeFileSync(hostsFile, `${entries.map(([name, ip]) => `${ip} ${name}`).join('\n')}\n${machineHosts}`, { mode: 0o644 });
  return ['/bin/sh', [SCRIPT, hostsFile, ...entries.map(([name, ip]) => `${name}=${ip}`), '--', command, ...args]];
}

/** Writes `<dir>/ca-bundle.pem`: the system roots (when present) plus `caPem`, for SSL_CERT_FILE. */
export function caBundleWith(dir: string, caPem: string): string {
  const file = join(dir, 'ca-bundle.pem');
  const roots = existsSync(SYSTEM_ROOTS) ? readFileSync(SYSTEM_ROOTS, 'utf8') : '';
  writeFileSync(file, `${roots}\n${caPem}\n`, { mode: 0o644 });
  return file;
}
