import { readEnvExecConfig } from '../../../env-exec/env-exec-config.js';
import { terminalErrorFrom } from '../core/sync/terminal-error.js';

const PLAN = JSON.stringify([{ env: 'S', akvs: 'a', source: { vault: 'kv', name: 'obj', type: 'secret' } }]);
const base = { AKVSYNC_ENV_EXEC_CONTAINER: 'app', AKVSYNC_ENV_EXEC_PLAN: PLAN };

describe('readEnvExecConfig', () => {
  it('reads agent mode', () => {
    const config = readEnvExecConfig({ ...base, AKVSYNC_ENV_EXEC_AUTH: 'agent', AKVSYNC_ENV_EXEC_AGENT_URL: 'https://agent:8443/', AKVSYNC_ENV_EXEC_TOKEN_FILE: '/t' });
    expect(config).toMatchObject({ auth: 'agent', container: 'app', agentUrl: 'https://agent:8443', tokenFile: '/t', maxAttempts: 5 });
  });

  it('reads workload-identity mode with vault URL overrides (per vault, else the template)', () => {
    const config = readEnvExecConfig({ ...base, AKVSYNC_ENV_EXEC_AUTH: 'workload-identity', AKVSYNC_ENV_EXEC_VAULT_URLS: '{"KV":"https://127.0.0.1:9/"}' });
    if (config.auth !== 'workload-identity') throw new Error('mode');
    expect(config.vaultUrl('kv')).toBe('https://127.0.0.1:9');
    expect(config.vaultUrl('other')).toBe('https://other.vault.azure.net');
    expect(config.customVaultUrls).toBe(true);
  });

  it.each([
    [{ AKVSYNC_ENV_EXEC_AUTH: 'agent' }, 'AKVSYNC_ENV_EXEC_AGENT_URL is not set'],
    [{ AKVSYNC_ENV_EXEC_AUTH: 'agent', AKVSYNC_ENV_EXEC_AGENT_URL: 'http://plain', AKVSYNC_ENV_EXEC_TOKEN_FILE: '/t' }, 'must be an https URL'],
    [{ AKVSYNC_ENV_EXEC_AUTH: 'nope' }, 'AKVSYNC_ENV_EXEC_AUTH must be'],
    [{ AKVSYNC_ENV_EXEC_AUTH: 'workload-identity', AKVSYNC_ENV_EXEC_PLAN: '{' }, 'AKVSYNC_ENV_EXEC_PLAN is not JSON'],
    [{ AKVSYNC_ENV_EXEC_AUTH: 'workload-identity', AKVSYNC_ENV_EXEC_PLAN: '[{"env":1}]' }, 'not a list of planned variables'],
    [{ AKVSYNC_ENV_EXEC_AUTH: 'workload-identity', AKVSYNC_ENV_EXEC_VAULT_URL_TEMPLATE: 'https://x' }, 'must contain {vault}'],
    [{ AKVSYNC_ENV_EXEC_AUTH: 'workload-identity', AKVSYNC_ENV_EXEC_MAX_ATTEMPTS: '0' }, 'MAX_ATTEMPTS'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(terminalErrorFrom(() => readEnvExecConfig({ ...base, ...env })).message).toContain(message);
  });
});
