import { BlockList, isIP } from 'node:net';

/**
 * Addresses a notification must never be sent to, whoever configured or registered the endpoint: link-local
 * (169.254.0.0/16, fe80::/10 — cloud instance metadata and the Azure wire server live there), unspecified, and the
 * known metadata addresses and names of the clouds. A leaked cluster key must not aim the Function's signed requests
 * at the Function's own metadata service. Loopback and private ranges stay allowed (agents on private networks,
 * local tests).
 */
const BLOCKED = new BlockList();
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
BLOCKED.addAddress('168.63.129.16', 'ipv4'); // Azure wire server / platform DNS
BLOCKED.addSubnet('fe80::', 10, 'ipv6');
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.azure.internal', 'instance-data', 'instance-data.ec2.internal']);

/** Why `host` (a hostname or an IP literal, brackets allowed) is refused, or undefined when it is allowed. */
export function forbiddenEndpointReason(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(bare)) return `"${bare}" is a cloud metadata host name`;
  const family = isIP(bare);
  if (family === 0) return undefined;
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1] : undefined;
  const blocked = mapped ? BLOCKED.check(mapped, 'ipv4') : BLOCKED.check(bare, family === 4 ? 'ipv4' : 'ipv6');
  return blocked ? `${bare} is a link-local, unspecified or metadata address` : undefined;
}
