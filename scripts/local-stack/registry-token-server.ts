/**
 * The token side of a loopback registry with `auth: token` (distribution's token authentication), serving one
 * HTTPS origin that also forwards `/v2/` to the registry behind it, so it looks like a real hosted registry:
 *
 * - `GET /oauth2/token?service=…&scope=repository:<name>:pull` (Docker's token protocol): anonymous callers get
 *   `pull` on public repositories; Basic credentials of a configured user get what that user may do.
 * - Azure Container Registry's exchange, emulated: `POST /oauth2/exchange` (form `grant_type=access_token`,
 *   `service`, `access_token` = an Entra token) answers `{refresh_token}`; `POST /oauth2/token` (form
 *   `grant_type=refresh_token`, `service`, `scope`, `refresh_token`) answers `{access_token}`.
 *
 * Tokens are RS256 JWTs whose `x5c` header carries a signing certificate issued by the test CA; the registry
 * trusts that CA (`rootcertbundle`). Every request is counted by path so tests can assert on the flows used.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { importPKCS8, SignJWT } from 'jose';
import forge from 'node-forge';
import { issueCertificate, type TestCa } from './tls.js';

export interface RegistryUser {
  readonly password: string;
  /** Repository names (exact, or a prefix ending in `/`) this user may pull; `*` for all. */
  readonly pull: readonly string[];
  readonly push?: boolean;
}

export interface TokenServerOptions {
  readonly ca: TestCa;
  /** The `service` the registry expects as audience. */
  readonly service: string;
  readonly issuer: string;
  readonly users: Readonly<Record<string, RegistryUser>>;
  /** Repository prefixes (ending in `/`) or names anyone may pull without credentials. */
  readonly publicRepositories: readonly string[];
  /** ACR emulation: maps an Entra access token to the repositories its holder may pull (undefined = refused). */
  readonly acceptEntraToken?: (accessToken: string) => readonly string[] | undefined | Promise<readonly string[] | undefined>;
  readonly tokenTtlSeconds?: number;
}

export interface TokenServer {
  /** `https://127.0.0.1:<port>` — the registry's public origin (token endpoints plus `/v2/` forwarded). */
  readonly url: string;
  readonly realm: string;
  /** The certificate chain the registry must trust for token signatures. */
  readonly rootCertBundlePem: string;
  /** Requests seen, by path (`/oauth2/token`, `/oauth2/exchange`, `/v2`). */
  readonly requests: Map<string, number>;
  /** Where `/v2/` goes; set once the registry listens. */
  setBackend(origin: string): void;
  stop(): Promise<void>;
}

interface Grant {
  readonly subject: string;
  readonly pull: readonly string[];
  readonly push: boolean;
}

const matches = (patterns: readonly string[], name: string): boolean =>
  patterns.some((p) => p === '*' || p === name || (p.endsWith('/') && name.startsWith(p)));

async function readBody(req: IncomingMessage, limit = 64 << 10): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) throw new Error('request body too large');
  }
  return body;
}

function basicCredentials(req: IncomingMessage): { username: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startRegistryTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const signer = issueCertificate(options.ca, { hosts: ['akvsync registry token signer'] });
  const signingKey = await importPKCS8(signer.keyPem, 'RS256');
  const x5c = [forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(signer.certPem))).getBytes())];
  const ttl = options.tokenTtlSeconds ?? 300;
  const refreshTokens = new Map<string, Grant>();
  const requests = new Map<string, number>();
  let backend: string | undefined;

  const anonymous: Grant = { subject: '', pull: options.publicRepositories, push: false };
  const userGrant = (req: IncomingMessage): Grant | undefined => {
    const creds = basicCredentials(req);
    if (!creds) return anonymous;
    const user = options.users[creds.username];
    return user && user.password === creds.password ? { subject: creds.username, pull: user.pull, push: user.push ?? false } : undefined;
  };

  const issue = async (grant: Grant, scopes: readonly string[]): Promise<string> => {
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const allowed = actions.split(',').filter((a) => (a === 'pull' ? matches(grant.pull, name) : grant.push && (a === 'push' || a === 'delete')));
      return allowed.length > 0 ? [{ type, name, actions: allowed }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ access })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c })
      .setIssuer(options.issuer)
      .setSubject(grant.subject)
      .setAudience(options.service)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(signingKey);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://registry.invalid');
    const key = url.pathname.startsWith('/v2') ? '/v2' : url.pathname;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (key === '/v2') return forward(req, res);
    if (url.pathname === '/oauth2/token' && req.method === 'GET') {
      const grant = userGrant(req);
      if (!grant) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
      const token = await issue(grant, url.searchParams.getAll('scope'));
      return sendJson(res, 200, { token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() });
    }
    if (url.pathname === '/oauth2/exchange' && req.method === 'POST' && options.acceptEntraToken) {
      const form = new URLSearchParams(await readBody(req));
      const pull = form.get('grant_type') === 'access_token' ? await options.acceptEntraToken(form.get('access_token') ?? '') : undefined;
      if (!pull || form.get('service') !== options.service) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'exchange refused' }] });
      const refreshToken = randomUUID();
      refreshTokens.set(refreshToken, { subject: 'entra-identity', pull, push: false });
      return sendJson(res, 200, { refresh_token: refreshToken });
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const grant = form.get('grant_type') === 'refresh_token' ? refreshTokens.get(form.get('refresh_token') ?? '') : undefined;
      if (!grant || form.get('service') !== options.service) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad refresh token' }] });
      return sendJson(res, 200, { access_token: await issue(grant, form.getAll('scope').flatMap((s) => s.split(' '))) });
    }
    sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
  };

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    if (!backend) return sendJson(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'no registry yet' }] });
    const upstream = httpsRequest(new URL(req.url ?? '/', backend), { method: req.method, headers: req.headers, ca: options.ca.certPem }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const { certPem, keyPem } = issueCertificate(options.ca, { hosts: ['127.0.0.1', 'localhost'] });
  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: 'token server error' }] });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('token server has no address');
  const url = `https://127.0.0.1:${address.port}`;
  return {
    url,
    realm: `${url}/oauth2/token`,
    rootCertBundlePem: options.ca.certPem,
    requests,
    setBackend: (origin) => void (backend = origin),
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
