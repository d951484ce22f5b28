/**
 * The local "authority" that @azure/identity (MSAL) talks to with `authorityHost` set to it and
 * `disableInstanceDiscovery: true` (routes: authority-routes.ts). It listens on 127.0.0.1 at a free port, and on
 * request also under a host name at a fixed loopback address and port (`serveAs`), for a client that hard-codes
 * Entra ID's host: that client's own mount namespace maps the name to the address (scripts/peer-eso/).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Clock } from '../../core/ports/clock.js';
import type { PemPair } from '../local-stack/tls.js';
import { AadError } from './aad-error.js';
import { type AuthorityContext, authorityRoutes, v1Issuer, v2Issuer } from './authority-routes.js';
import type { ClientRegistry } from './client-registry.js';
import type { FaultInjector } from './fault-injector.js';
import { instrument } from './instrument.js';
import { AUTHORITY, type RequestStats } from './request-stats.js';
import type { TokenSigner } from './token-signer.js';
import { type Listener, listenerUrl } from './vault-server.js';

export interface TokenIssuerOptions {
  readonly tls: PemPair;
  readonly tenantId: string;
  readonly clients: ClientRegistry;
  readonly signer: TokenSigner;
  readonly stats: RequestStats;
  readonly faults: FaultInjector;
  readonly clock: Clock;
  /** Access token lifetime (default 3600). */
  readonly tokenLifetimeSeconds?: number;
}

export interface AuthorityAlias {
  /** The host name a client asks for, e.g. login.microsoftonline.com; `tls` must be a certificate for it. */
  readonly hostName: string;
  readonly tls: PemPair;
  /** A loopback address (127.0.0.0/8) and port to listen on, e.g. 127.48.3.7 and 443. */
  readonly address: string;
  readonly port: number;
}

export interface TokenIssuer extends Listener {
  /** The `iss` values of the access tokens it issues (v2.0 and v1). */
  readonly issuers: readonly string[];
  /** Also listen as `alias.hostName` on `alias.address:alias.port`; closed with the issuer. */
  serveAs(alias: AuthorityAlias): Promise<Listener>;
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  let url = '';
  const ctx: AuthorityContext = {
    tenantId: options.tenantId,
    clients: options.clients,
    signer: options.signer,
    clock: options.clock,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    tenantBase: () => `${url}/${options.tenantId}`,
  };
  const apps: FastifyInstance[] = [];
  const app = authorityApp(options, options.tls, ctx);
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = listenerUrl(app.server.address());
  return {
    url,
    issuers: [v2Issuer(ctx), v1Issuer(options.tenantId)],
    serveAs: async (alias) => {
      if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(alias.address)) throw new Error(`serveAs: ${alias.address} is not a loopback address (127.0.0.0/8)`);
      const aliasApp = authorityApp(options, alias.tls, ctx);
      await aliasApp.listen({ host: alias.address, port: alias.port });
      apps.push(aliasApp);
      return { url: alias.port === 443 ? `https://${alias.hostName}` : `https://${alias.hostName}:${alias.port}`, close: () => aliasApp.close() };
    },
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

function authorityApp(options: TokenIssuerOptions, tls: PemPair, ctx: AuthorityContext): FastifyInstance {
  const app = Fastify({ https: { key: tls.keyPem, cert: tls.certPem }, logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const mapError = (error: unknown) =>
    error instanceof AadError ? { status: error.status, body: error.body(randomUUID(), new Date(options.clock.now()).toISOString()) } : undefined;
  instrument(app, { target: AUTHORITY, stats: options.stats, faults: options.faults, mapError });
  authorityRoutes(app, ctx);
  return app;
}
