/**
 * env-exec's configuration, from the AKVSYNC_ENV_EXEC_* variables the webhook wrote into the container spec (names
 * and URLs only). Errors name the variable, never its value (a value could be anything the user put there).
 */
import { ENV_EXEC_CONFIG_PREFIX } from '../core/injection/compose-environment.js';
import type { PlannedVariable } from '../core/injection/injection-plan.js';
import { TerminalError } from '../core/errors.js';

export type EnvExecConfig =
  | { readonly auth: 'agent'; readonly container: string; readonly plan: PlannedVariable[]; readonly agentUrl: string; readonly tokenFile: string } & Common
  | { readonly auth: 'workload-identity'; readonly container: string; readonly plan: PlannedVariable[]; readonly vaultUrl: (vault: string) => string; readonly customVaultUrls: boolean } & Common;

interface Common {
  /** Extra PEM CA certificates to trust besides env-exec's own roots (the agent's CA; a private vault endpoint's). */
  readonly extraCaPem: string | undefined;
  readonly maxAttempts: number;
}

const invalid = (name: string, why: string) => new TerminalError('InvalidConfig', `${ENV_EXEC_CONFIG_PREFIX}${name} ${why}`);

function parsePlan(text: string | undefined): PlannedVariable[] {
  if (text === undefined) throw invalid('PLAN', 'is not set');
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    throw invalid('PLAN', 'is not JSON');
  }
  const ok = Array.isArray(plan) && plan.every((p: Partial<PlannedVariable> | null) =>
    typeof p?.env === 'string' && typeof p.akvs === 'string' && (p.query === undefined || typeof p.query === 'string')
    && typeof p.source?.vault === 'string' && typeof p.source.name === 'string' && typeof p.source.type === 'string');
  if (!ok) throw invalid('PLAN', 'is not a list of planned variables');
  return plan as PlannedVariable[];
}

function httpsUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(name, 'is not a URL');
  }
  if (url.protocol !== 'https:') throw invalid(name, 'must be an https URL');
  return text.replace(/\/+$/, '');
}

export function readEnvExecConfig(env: Readonly<Record<string, string | undefined>>): EnvExecConfig {
  const get = (name: string) => env[`${ENV_EXEC_CONFIG_PREFIX}${name}`];
  const container = get('CONTAINER');
  if (container === undefined || container === '') throw invalid('CONTAINER', 'is not set');
  const plan = parsePlan(get('PLAN'));
  const attempts = Number(get('MAX_ATTEMPTS') ?? '5');
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw invalid('MAX_ATTEMPTS', 'must be an integer from 1 to 20');
  const common: Common = { extraCaPem: get('EXTRA_CA'), maxAttempts: attempts };
  const auth = get('AUTH');
  if (auth === 'agent') {
    const url = get('AGENT_URL');
    const tokenFile = get('TOKEN_FILE');
    if (url === undefined) throw invalid('AGENT_URL', 'is not set');
    if (tokenFile === undefined) throw invalid('TOKEN_FILE', 'is not set');
    return { auth, container, plan, agentUrl: httpsUrl('AGENT_URL', url), tokenFile, ...common };
  }
  if (auth === 'workload-identity') {
    const template = get('VAULT_URL_TEMPLATE') ?? 'https://{vault}.vault.azure.net';
    if (!template.includes('{vault}')) throw invalid('VAULT_URL_TEMPLATE', 'must contain {vault}');
    httpsUrl('VAULT_URL_TEMPLATE', template.replaceAll('{vault}', 'example'));
    let urls: Record<string, string> = {};
    const urlsText = get('VAULT_URLS');
    if (urlsText !== undefined) {
      try {
        urls = Object.fromEntries(Object.entries(JSON.parse(urlsText) as Record<string, unknown>)
          .map(([vault, url]) => [vault.toLowerCase(), httpsUrl(`VAULT_URLS.${vault}`, String(url))]));
      } catch (e) {
        throw e instanceof TerminalError ? e : invalid('VAULT_URLS', 'is not a JSON object of vault name to URL');
      }
    }
    const vaultUrl = (vault: string) => urls[vault.toLowerCase()] ?? template.replaceAll('{vault}', vault.toLowerCase());
    return { auth, container, plan, vaultUrl, customVaultUrls: urlsText !== undefined || get('VAULT_URL_TEMPLATE') !== undefined, ...common };
  }
  throw invalid('AUTH', "must be 'agent' or 'workload-identity'");
}
