import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_GENERATED_FILES, CHART_PLACEHOLDERS } from '../../../../cluster-agent/manifests/chart-files.js';
import { renderCrdYaml } from '../../../../core/crd/crd-manifest.js';
import { renderAccessPolicyCrdYaml } from '../../../../core/tenancy/access-policy-crd.js';
import { activeRules } from '../../../../cluster-agent/rbac/render-agent-rbac.js';
import { AGENT_FEATURES } from '../../../../cluster-agent/rbac/agent-rbac-rules.js';
import type { AgentFeature } from '../../../../cluster-agent/rbac/agent-rbac-rules.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const chartFile = (file: string): string => join(repoRoot, 'cluster-agent/chart', file);

async function check(root: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(join(root, 'scripts/node'), ['--import', 'tsx', join(root, 'cluster-agent/manifests/generate-chart-files.ts'), '--check'], { cwd: repoRoot });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? 1, stderr: e.stderr ?? '' };
  }
}

describe('the chart files generated from the agent\'s sources', () => {
  it('are committed as generate-chart-files.ts writes them', () => {
    for (const { file, content } of CHART_GENERATED_FILES()) {
      expect({ file, content: readFileSync(chartFile(file), 'utf8') }).toEqual({ file, content });
    }
  });

  it('ship both CRDs byte for byte as core/ renders them (the manifests the agent\'s tests apply)', () => {
    const crds = CHART_GENERATED_FILES().filter((f) => f.file.startsWith('files/crds/'));
    expect(crds.map((f) => f.file)).toEqual(['files/crds/akvsync.io_azurekeyvaultsecrets.yaml', 'files/crds/akvsync.io_azurekeyvaultaccesspolicies.yaml']);
    expect(crds[0]!.content).toBe(renderCrdYaml());
    expect(crds[1]!.content).toBe(renderAccessPolicyCrdYaml());
    for (const crd of crds) {
      expect(crd.content).toBe(readFileSync(join(repoRoot, 'cluster-agent/manifests', crd.file.replace('files/crds/', '')), 'utf8'));
    }
  });

  it('give each rule its feature and whether a setting can switch it off (what the chart filters by)', () => {
    const rules = parse(CHART_GENERATED_FILES().find((f) => f.file === 'files/rbac/rules.yaml')!.content) as Record<string, { feature: AgentFeature; optional: boolean }[]>;
    for (const [key, scope] of [['watchedNamespaces', 'watched-namespaces'], ['ownNamespace', 'own-namespace'], ['cluster', 'cluster']] as const) {
      const source = activeRules({}, scope);
      expect(rules[key]!.map((r) => [r.feature, r.optional])).toEqual(source.map((r) => [r.feature, AGENT_FEATURES[r.feature].optional]));
    }
    const optional = new Set(Object.values(rules).flat().filter((r) => r.optional).map((r) => r.feature));
    expect([...optional].sort()).toEqual([
      'akv2k8s-objects', 'argo-rollouts', 'data-hash-key-secret', 'env-exec-token-review', 'env-injection-admission', 'env-injection-webhook', 'image-pull-secrets', 'leader-election',
      'output-drift', 'tenant-access-policy', 'tenant-identity', 'tenant-namespace-labels', 'webhook-tls-secret',
    ]);
  });

  it('carry exactly the built rules per scope, and only the placeholders the chart replaces', () => {
    const rules = parse(CHART_GENERATED_FILES().find((f) => f.file === 'files/rbac/rules.yaml')!.content) as Record<string, { verbs: string[] }[]>;
    expect(rules.watchedNamespaces!.map((r) => r.verbs)).toEqual(activeRules({}, 'watched-namespaces').map((r) => r.verbs));
    expect(rules.ownNamespace).toHaveLength(activeRules({}, 'own-namespace').length);
    expect(rules.cluster).toHaveLength(activeRules({}, 'cluster').length);
    const policy = CHART_GENERATED_FILES().find((f) => f.file === 'files/rbac/restart-only-policy.yaml')!.content;
    expect(parseAllDocuments(policy).map((d) => (d.toJS() as { kind: string }).kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    for (const token of Object.values(CHART_PLACEHOLDERS)) expect(policy).toContain(token);
    expect(policy.match(/__AKVSYNC_[A-Z_]+__/g)!.every((t) => (Object.values(CHART_PLACEHOLDERS) as string[]).includes(t))).toBe(true);
  });

  it('--check passes on the committed files and fails on a stale copy', async () => {
    expect(await check(repoRoot)).toEqual({ code: 0, stderr: '' });
    const copy = mkdtempSync(join(tmpdir(), 'akvsync-chart-files-'));
    for (const dir of ['core', 'cluster-agent', 'scripts']) cpSync(join(repoRoot, dir), join(copy, dir), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
    writeFileSync(join(copy, 'cluster-agent/chart/files/rbac/rules.yaml'), 'watchedNamespaces: []\n');
    const stale = await check(copy);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('cluster-agent/chart/files/rbac/rules.yaml is stale');
  }, 60_000);
});
