import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { forbiddenEndpointReason } from '../forbidden-endpoint.js';

/**
 * DNS resolution that refuses link-local and metadata addresses (forbidden-endpoint.ts), so a name that resolves
 * there — now or after a DNS change — is never connected to; the push fails as a network error.
 */
export function guardedLookup(
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, []);
    const bad = addresses.map((a) => forbiddenEndpointReason(a.address)).find((r) => r !== undefined);
    if (bad !== undefined) return callback(Object.assign(new Error(`refused to connect to ${hostname}: ${bad}`), { code: 'EFORBIDDENADDRESS' }), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    return first ? callback(null, first.address, first.family) : callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
  });
}

