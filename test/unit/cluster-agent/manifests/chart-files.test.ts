import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_GENERATED_FILES, CHART_PLACEHOLDERS } from '../../../../cluster-agent/manifests/chart-files.js';
import { renderCrdYaml } from '../../../../core/crd/crd-manifest.js';
import { activeRules } from '../../../../cluster-agent/rbac/render-agent-rbac.js';

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

  it('ship the CRD byte for byte as core/crd renders it (the manifest the agent\'s tests apply)', () => {
    const crd = CHART_GENERATED_FILES().find((f) => f.file.startsWith('files/crds/'))!;
    expect(crd.content).toBe(renderCrdYaml());
    expect(crd.content).toBe(readFileSync(join(repoRoot, 'cluster-agent/manifests/akvsync.io_azurekeyvaultsecrets.yaml'), 'utf8'));
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
