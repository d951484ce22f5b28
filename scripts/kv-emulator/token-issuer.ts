/**
 * The local "authority" that @azure/identity (MSAL) talks to with `authorityHost` set to it and
 * `disableInstanceDiscovery: true`: the OpenID discovery document, the signing keys, and the v2.0 token endpoint
 * for `client_credentials` with a client secret or a client assertion (workload identity federation).
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { Clock } from '../../core/ports/clock.js';
import type { PemPair } from '../local-stack/tls.js';
import { AadError } from './aad-error.js';
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

export interface TokenIssuer extends Listener {
  /** The `iss` of the access tokens it issues. */
  readonly issuer: string;
}

type TenantParams = { tenant: string };

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const app = Fastify({ https: { key: options.tls.keyPem, cert: options.tls.certPem }, logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const mapError = (error: unknown) =>
    error instanceof AadError ? { status: error.status, body: error.body(randomUUID(), new Date(options.clock.now()).toISOString()) } : undefined;
  instrument(app, { target: AUTHORITY, stats: options.stats, faults: options.faults, mapError });
  let url = '';
  const tenantBase = () => `${url}/${options.tenantId}`;
  const issuer = () => `${tenantBase()}/v2.0`;
  const checkTenant = (tenant: string) => {
    if (tenant.toLowerCase() !== options.tenantId.toLowerCase()) {
      throw new AadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. This emulator serves tenant ${options.tenantId} only.`);
    }
  };

  app.get<{ Params: TenantParams }>('/:tenant/v2.0/.well-known/openid-configuration', { config: { operation: 'discovery' } }, async (request) => {
    checkTenant(request.params.tenant);
    return {
      issuer: issuer(),
      authorization_endpoint: `${tenantBase()}/oauth2/v2.0/authorize`,
      token_endpoint: `${tenantBase()}/oauth2/v2.0/token`,
      jwks_uri: `${tenantBase()}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: null,
      cloud_instance_name: 'kv-emulator.local',
    };
  });

  app.get('/:tenant/discovery/v2.0/keys', { config: { operation: 'jwks' } }, async () => options.signer.jwks());

  app.post<{ Params: TenantParams; Body: Record<string, string | undefined> }>('/:tenant/oauth2/v2.0/token', { config: { operation: 'token' } }, async (request) => {
    checkTenant(request.params.tenant);
    const form = request.body ?? {};
    if (form.grant_type !== 'client_credentials') throw new AadError(400, 'unsupported_grant_type', 70003, `The grant type '${form.grant_type ?? ''}' is not supported by this emulator.`);
    const audience = resourceOf(form.scope);
    const clientId = await options.clients.authenticate(form);
    const token = await options.signer.issue({ issuer: issuer(), tenantId: options.tenantId, clientId, audience, lifetimeSeconds: options.tokenLifetimeSeconds ?? 3600 });
    return { token_type: 'Bearer', expires_in: token.expiresIn, ext_expires_in: token.expiresIn, access_token: token.accessToken };
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  url = listenerUrl(app.server.address());
  return { url, issuer: issuer(), close: () => app.close() };
}

function resourceOf(scope: string | undefined): string {
  const scopes = (scope ?? '').split(' ').filter((s) => s.endsWith('/.default'));
  if (scopes.length !== 1) throw new AadError(400, 'invalid_scope', 1002012, "The provided value for scope is not valid: client credential flows must have exactly one scope ending in '/.default'.");
  return (scopes[0] as string).slice(0, -'/.default'.length);
}
