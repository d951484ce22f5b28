/**
 * A DNS look-up for sockets (`net.connect`'s `lookup` option) that refuses a name resolving to a forbidden address
 * (forbidden-address.ts) — now or after a DNS change — so nothing connects there; the request fails as a network
 * error with code EFORBIDDENADDRESS. IP literals never reach a look-up: callers check those with
 * forbiddenAddressReason before connecting. Pure: the resolver is the runtime's (node:dns), passed in.
 */
import { forbiddenAddressReason } from './forbidden-address.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}
type LookupCallback = (error: (Error & { code?: string }) | null, address: string | ResolvedAddress[], family?: number) => void;
/** Every address of `hostname` (dns.lookup with `all: true`). */
export type ResolveAll = (hostname: string, options: { family?: number | string; hints?: number }, done: (error: Error | null, addresses: ResolvedAddress[]) => void) => void;

export function guardLookup(resolveAll: ResolveAll) {
  return (hostname: string, options: { all?: boolean; family?: number | string; hints?: number }, callback: LookupCallback): void => {
    const { all, ...rest } = options;
    resolveAll(hostname, rest, (error, addresses) => {
      if (error) return callback(error, []);
      const bad = addresses.map((a) => forbiddenAddressReason(a.address)).find((r) => r !== undefined);
      if (bad !== undefined) return callback(Object.assign(new Error(`refused to connect to ${hostname}: ${bad}`), { code: 'EFORBIDDENADDRESS' }), []);
      if (all) return callback(null, addresses);
      const first = addresses[0];
      return first ? callback(null, first.address, first.family) : callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    });
  };
}
