/**
 * What the local authority answers: the OpenID discovery document, the signing keys, the v2.0 token endpoint
 * (`scope`, as @azure/identity/MSAL asks) and the v1 token endpoint (`resource`, as older clients such as External
 * Secrets Operator's go-autorest/adal ask), both for `client_credentials` with a client secret or a client assertion.
 * Registered on every listener of the authority (its loopback URL and any host-name alias).
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/ports/clock.js';
import { AadError } from './aad-error.js';
import type { ClientRegistry } from './client-registry.js';
import { attributeRequest } from './request-client.js';
import type { TokenSigner } from './token-signer.js';

export interface AuthorityContext {
  readonly tenantId: string;
  readonly clients: ClientRegistry;
  readonly signer: TokenSigner;
  readonly clock: Clock;
  readonly tokenLifetimeSeconds: number;
  /** `https://<authority>/<tenant>`, of the authority's loopback URL. */
  readonly tenantBase: () => string;
}

/** The `iss` of v2.0 tokens. */
export const v2Issuer = (ctx: AuthorityContext): string => `${ctx.tenantBase()}/v2.0`;
/** The `iss` of v1 tokens, as Entra ID writes it whatever host answered. */
export const v1Issuer = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`;

type TenantParams = { tenant: string };
type TokenRequest = { Params: TenantParams; Body: Record<string, string | undefined> };

export function authorityRoutes(app: FastifyInstance, ctx: AuthorityContext): void {
  const checkTenant = (tenant: string) => {
    if (tenant.toLowerCase() !== ctx.tenantId.toLowerCase()) {
      throw new AadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. This emulator serves tenant ${ctx.tenantId} only.`);
    }
  };
  /** The form of a client-credentials request whose tenant is served, attributed to the client it names. */
  const clientCredentials = (request: { params: TenantParams; body: Record<string, string | undefined> | undefined }, attribute: (clientId: string) => void) => {
    const form = request.body ?? {};
    if (form.client_id) attribute(form.client_id);
    checkTenant(request.params.tenant);
    if (form.grant_type !== 'client_credentials') throw new AadError(400, 'unsupported_grant_type', 70003, `The grant type '${form.grant_type ?? ''}' is not supported by this emulator.`);
    return form;
  };

  app.get<{ Params: TenantParams }>('/:tenant/v2.0/.well-known/openid-configuration', { config: { operation: 'discovery' } }, async (request) => {
    checkTenant(request.params.tenant);
    const base = ctx.tenantBase();
    return {
      issuer: v2Issuer(ctx),
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: null,
      cloud_instance_name: 'kv-emulator.local',
    };
  });

  app.get('/:tenant/discovery/v2.0/keys', { config: { operation: 'jwks' } }, async () => ctx.signer.jwks());

  app.post<TokenRequest>('/:tenant/oauth2/v2.0/token', { config: { operation: 'token' } }, async (request) => {
    const form = clientCredentials(request, (id) => attributeRequest(request, id));
    const audience = resourceOfScope(form.scope);
    const clientId = await ctx.clients.authenticate(form);
    const token = await ctx.signer.issue({ issuer: v2Issuer(ctx), tenantId: ctx.tenantId, clientId, audience, lifetimeSeconds: ctx.tokenLifetimeSeconds });
    return { token_type: 'Bearer', expires_in: token.expiresIn, ext_expires_in: token.expiresIn, access_token: token.accessToken };
  });

  // v1: the resource is named directly, and every number in the answer is a string.
  app.post<TokenRequest>('/:tenant/oauth2/token', { config: { operation: 'token' } }, async (request) => {
    const form = clientCredentials(request, (id) => attributeRequest(request, id));
    const resource = form.resource?.trim();
    if (!resource) throw new AadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'resource'.");
    const clientId = await ctx.clients.authenticate(form);
    const token = await ctx.signer.issue({ issuer: v1Issuer(ctx.tenantId), tenantId: ctx.tenantId, clientId, audience: resource, lifetimeSeconds: ctx.tokenLifetimeSeconds, version: '1.0' });
    return {
      token_type: 'Bearer',
      expires_in: String(token.expiresIn),
      ext_expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      not_before: String(token.notBefore),
      resource,
      access_token: token.accessToken,
    };
  });
}

function resourceOfScope(scope: string | undefined): string {
  const scopes = (scope ?? '').split(' ').filter((s) => s.endsWith('/.default'));
  if (scopes.length !== 1) throw new AadError(400, 'invalid_scope', 1002012, "The provided value for scope is not valid: client credential flows must have exactly one scope ending in '/.default'.");
  return (scopes[0] as string).slice(0, -'/.default'.length);
}
