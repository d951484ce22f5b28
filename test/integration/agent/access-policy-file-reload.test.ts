/**
 * A policy file is re-read on change, without a restart (AKVSYNC_ACCESS_POLICY_FILE, re-checked every
 * AKVSYNC_RELOAD_INTERVAL): a namespace the file does not grant gets Forbidden and no Key Vault read; the file
 * rewritten to grant it, the same CR syncs; rewritten invalid, the policies in force stay (an error names the file)
 * and nothing is narrowed or widened by the typo.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AkvsStatus } from '../../../core/crd/azure-key-vault-secret.js';
import { type AgentHarness, decode, startAgentHarness, waitFor } from './agent-harness.js';

const VALUE = 'policy-file-value-5e2f';
const readyOf = (s: AkvsStatus | undefined) => s?.conditions?.find((c) => c.type === 'Ready');
const policyFile = (namespace: string, objects: string): string => `apiVersion: akvsync.io/v1
kind: AzureKeyVaultAccessPolicy
metadata: { name: team }
spec:
  namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${namespace} } }
  grants: [{ vault: kv1, objects: [${JSON.stringify(objects)}] }]
`;

describe('access policy file reloaded on change', () => {
  let dir: string;
  let file: string;
  let h: AgentHarness;
  let ns: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'akvsync-policy-'));
    file = join(dir, 'policies.yaml');
    writeFileSync(file, policyFile('nobody', '*'));
    h = await startAgentHarness({ env: { AKVSYNC_ACCESS_POLICY_FILE: file, AKVSYNC_RELOAD_INTERVAL: '1s' } });
    ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'db', VALUE);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('judges every CR again when the file changes, and keeps the policies in force when it turns invalid', async () => {
    h.emulator.resetCounters();
    await h.createAkvs(ns, 'db', { vault: { name: 'kv1', object: { name: 'db', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'value' } } });
    const forbidden = await waitFor('Forbidden', async () => {
      const s = await h.getStatus(ns, 'db');
      return readyOf(s)?.reason === 'Forbidden' ? s : undefined;
    });
    expect(readyOf(forbidden)?.status).toBe('False');
    expect(JSON.stringify(h.emulator.countersByClient())).not.toContain('getSecret');

    writeFileSync(file, policyFile(ns, 'd*'));
    await waitFor('the CR to sync under the reloaded file', async () => (readyOf(await h.getStatus(ns, 'db'))?.status === 'True' ? true : undefined), 30_000);
    expect(decode(await h.readSecret(ns, 'db'), 'value')).toBe(VALUE);
    expect(h.logLines.join('\n')).toContain('access policies in force (file, reloaded)');

    writeFileSync(file, policyFile(ns, 'd*').replace('grants', 'grant'));
    await waitFor('the invalid file to be refused', async () => (h.logLines.some((l) => l.includes('the changed access policy file is invalid')) ? true : undefined), 30_000);
    expect(h.logLines.join('\n')).toMatch(/spec.grants: is required/);
    // still in force: a second CR of a granted object syncs, one of an object the old file did not grant is Forbidden
    h.emulator.setSecret('kv1', 'other', VALUE);
    await h.createAkvs(ns, 'db-2', { vault: { name: 'kv1', object: { name: 'db', type: 'secret' } }, output: { secret: { name: 'db-2', dataKey: 'value' } } });
    await h.createAkvs(ns, 'other', { vault: { name: 'kv1', object: { name: 'other', type: 'secret' } }, output: { secret: { name: 'other', dataKey: 'value' } } });
    await waitFor('db-2 synced', async () => (readyOf(await h.getStatus(ns, 'db-2'))?.status === 'True' ? true : undefined));
    await waitFor('other Forbidden', async () => (readyOf(await h.getStatus(ns, 'other'))?.reason === 'Forbidden' ? true : undefined));
    expect(JSON.stringify(h.logLines)).not.toContain(VALUE);
  }, 120_000);
});
