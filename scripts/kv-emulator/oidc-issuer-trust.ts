/**
 * Trust of external OIDC issuers for workload identity federation, as Entra ID trusts an AKS cluster's OIDC issuer:
 * the issuer's discovery document (`<issuer>/.well-known/openid-configuration`) is fetched anonymously once, its
 * `issuer` must equal the URL trusted, and its `jwks_uri` is where assertions' signatures are checked (the
 * local kube-apiserver serves both when anonymous issuer discovery is allowed, as scripts/local-stack does).
 */

export interface TrustedIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
}

export class OidcIssuerTrust {
  private readonly trusted = new Map<string, TrustedIssuer>();

  constructor(private readonly fetchJson: (url: string) => Promise<unknown> = fetchAnonymously) {}

  async trust(issuer: string): Promise<TrustedIssuer> {
    const known = this.trusted.get(issuer);
    if (known) return known;
    const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const document = (await this.fetchJson(discovery)) as { issuer?: unknown; jwks_uri?: unknown } | null;
    if (document?.issuer !== issuer) throw new Error(`OIDC discovery at ${discovery} names issuer ${String(document?.issuer)}, not ${issuer}`);
    if (typeof document.jwks_uri !== 'string' || !document.jwks_uri.startsWith('https://')) throw new Error(`OIDC discovery at ${discovery} has no https jwks_uri`);
    const entry = { issuer, jwksUri: document.jwks_uri };
    this.trusted.set(issuer, entry);
    return entry;
  }

  /** The trusted issuer, or an error saying to trust it first. */
  get(issuer: string): TrustedIssuer {
    const entry = this.trusted.get(issuer);
    if (!entry) throw new Error(`Issuer ${issuer} is not trusted: call trustOidcIssuer first`);
    return entry;
  }
}

async function fetchAnonymously(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}
