/** One emulated vault: its own HTTPS listener on 127.0.0.1, so SDK identifier parsing works as on *.vault.azure.net. */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { certificateRoutes } from './certificate-routes.js';
import type { FaultInjector } from './fault-injector.js';
import { instrument } from './instrument.js';
import { keyRoutes } from './key-routes.js';
import type { RequestStats } from './request-stats.js';
import { secretRoutes } from './secret-routes.js';
import { type VaultAuthOptions, vaultAdmission } from './vault-auth.js';
import type { VaultState } from './vault-state.js';
import type { PemPair } from '../local-stack/tls.js';

export interface VaultServerOptions {
  readonly vault: string;
  readonly state: VaultState;
  readonly tls: PemPair;
  readonly stats: RequestStats;
  readonly faults: FaultInjector;
  readonly auth: VaultAuthOptions;
}

export interface Listener {
  readonly url: string;
  close(): Promise<void>;
}

export async function startVaultServer(options: VaultServerOptions): Promise<Listener> {
  const app = Fastify({
    https: { key: options.tls.keyPem, cert: options.tls.certPem },
    logger: false,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { coerceTypes: false } },
  });
  let base = '';
  instrument(app, { target: options.vault, stats: options.stats, faults: options.faults, admit: vaultAdmission(options.auth) });
  const ctx = { base: () => base, state: options.state };
  secretRoutes(app, ctx);
  certificateRoutes(app, ctx);
  keyRoutes(app, ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = listenerUrl(app.server.address());
  return { url: base, close: () => app.close() };
}

export function listenerUrl(address: AddressInfo | string | null): string {
  if (!address || typeof address === 'string') throw new Error(`Unexpected listener address ${String(address)}`);
  return `https://127.0.0.1:${address.port}`;
}
