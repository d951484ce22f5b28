/**
 * Addresses no request of ours may reach, whoever named the host (a registered push endpoint, an image reference in
 * a pod spec): link-local (169.254.0.0/16, fe80::/10 — cloud instance metadata and the Azure wire server live
 * there), unspecified, and the clouds' known metadata addresses and names. A leaked cluster key must not aim the
 * Function's signed requests at its metadata service, and a pod spec must not aim the agent's registry look-ups
 * there. Loopback and private ranges stay allowed (agents and registries on private networks, local tests).
 * IP parsing: ipaddr.js (docs/dependencies.md).
 */
import ipaddr from 'ipaddr.js';

const FORBIDDEN_RANGES: readonly [string, number][] = [
  ['169.254.0.0', 16], ['0.0.0.0', 8], ['100.100.100.200', 32] /* Alibaba Cloud metadata */, ['168.63.129.16', 32] /* Azure wire server, platform DNS */,
  ['fe80::', 10], ['::', 128], ['fd00:ec2::254', 128] /* AWS metadata over IPv6 */,
];
const RANGES = FORBIDDEN_RANGES.map(([address, bits]) => [ipaddr.parse(address), bits] as const);
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.azure.internal', 'instance-data', 'instance-data.ec2.internal']);

/** Why `host` (a hostname or an IP literal, brackets allowed) is refused, or undefined when it is allowed. */
export function forbiddenAddressReason(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(bare)) return `"${bare}" is a cloud metadata host name`;
  if (!ipaddr.isValid(bare)) return undefined;
  const parsed = ipaddr.process(bare); // an IPv4-mapped IPv6 address becomes the IPv4 address
  const blocked = RANGES.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
  return blocked ? `${bare} is a link-local, unspecified or metadata address` : undefined;
}
