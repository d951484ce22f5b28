import { lookup } from 'node:dns';
import { guardLookup } from '../../core/net/guard-lookup.js';

/** DNS resolution for registry look-ups that never yields a link-local or metadata address (core/net/guard-lookup.ts). */
export const guardedLookup = guardLookup((hostname, options, done) => lookup(hostname, { ...options, all: true } as never, done as never));
