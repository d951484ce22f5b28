/**
 * Admission of a vault request, in Key Vault's order: a bearer token from the local authority (else 401 with the
 * challenge the SDK follows), an accepted api-version, then the vault's access list when one is set (else 403), then
 * the caller's object-scoped grants when it has any (else 403, whether or not the object exists).
 */
import type { FastifyRequest } from 'fastify';
import type { EarlyAnswer } from './instrument.js';
import { KvError } from './kv-error.js';
import { attributeRequest } from './request-client.js';
import type { TokenSigner } from './token-signer.js';

export const VAULT_RESOURCE = 'https://vault.azure.net';

export interface VaultAuthOptions {
  readonly signer: TokenSigner;
  /** Token issuers (`iss` of v2.0 and v1 tokens) and authority URL, known once the authority listens. */
  readonly issuers: () => readonly string[];
  readonly authority: () => string;
  /** Client ids allowed on this vault; undefined = every authenticated client. */
  readonly allowedClients: () => ReadonlySet<string> | undefined;
  /** Per-identity object access (object-access.ts): the route's `:name`, or undefined for a vault-wide operation. */
  readonly objectAllowed?: (clientId: string, objectName: string | undefined) => boolean;
}

const API_VERSION = /^(7\.\d+(-preview(\.\d+)?)?|\d{4}-\d{2}-\d{2}(-preview)?)$/;

const JOSE_MESSAGES: Record<string, string> = {
  ERR_JWT_EXPIRED: 'AKV10021: Token is expired.',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'AKV10020: Invalid token signature.',
};

export function vaultAdmission(options: VaultAuthOptions): (request: FastifyRequest) => Promise<EarlyAnswer | undefined> {
  const challenge = (message: string): EarlyAnswer => ({
    status: 401,
    headers: { 'www-authenticate': `Bearer authorization="${options.authority()}", resource="${VAULT_RESOURCE}"` },
    body: new KvError(401, 'Unauthorized', message).body(),
  });
  return async (request) => {
    const header = request.headers.authorization;
    if (!header || !/^Bearer\s+\S/i.test(header)) return challenge('AKV10000: Request is missing a Bearer or PoP token.');
    let appId: unknown;
    try {
      const claims = await options.signer.verify(header.replace(/^Bearer\s+/i, ''), {
        issuer: [...options.issuers()],
        audiences: [VAULT_RESOURCE, `${VAULT_RESOURCE}/`],
      });
      appId = claims.appid;
      if (typeof appId === 'string') attributeRequest(request, appId);
    } catch (error) {
      return challenge(tokenMessage(error));
    }
    const version = (request.query as Record<string, string | undefined>)['api-version'];
    if (!version) return early(new KvError(400, 'BadParameter', 'The api-version query parameter is required.'));
    if (!API_VERSION.test(version)) return early(new KvError(400, 'BadParameter', `The specified version (${version}) is not recognized.`));
    const allowed = options.allowedClients();
    if (allowed && !(typeof appId === 'string' && allowed.has(appId.toLowerCase()))) {
      return early(new KvError(403, 'Forbidden', `Caller ${String(appId)} is not authorized to perform this action on the vault.`, 'ForbiddenByRbac'));
    }
    const objectName = (request.params as Record<string, string | undefined> | undefined)?.name;
    if (options.objectAllowed && !options.objectAllowed(typeof appId === 'string' ? appId : '', objectName)) {
      const scope = objectName === undefined ? 'the vault' : 'this object';
      return early(new KvError(403, 'Forbidden', `Caller ${String(appId)} is not authorized to perform this action on ${scope}.`, 'ForbiddenByRbac'));
    }
    return undefined;
  };
}

function early(error: KvError): EarlyAnswer {
  return { status: error.status, body: error.body() };
}

function tokenMessage(error: unknown): string {
  const { code, claim } = error as { code?: string; claim?: string };
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud') return 'AKV10022: Invalid audience.';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'iss') return 'AKV10032: Invalid issuer.';
  return (code && JOSE_MESSAGES[code]) ?? `AKV10000: The bearer token is invalid (${code ?? 'malformed'}).`;
}
