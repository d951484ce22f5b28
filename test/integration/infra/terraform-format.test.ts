/**
 * infra/terraform is formatted as `terraform fmt` writes it (terraform from the machine, or hclfmt built from
 * the Go module proxy where terraform is missing: scripts/ensure-terraform-fmt.sh), and every file parses
 * as HCL (@cdktf/hcl2json, HashiCorp's HCL parser compiled to WebAssembly). `terraform validate` cannot run
 * here: the azurerm provider is not served by any reachable registry (infra/README.md).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from '@cdktf/hcl2json';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const terraformDir = join(repoRoot, 'infra/terraform');
let formatter: { kind: 'terraform' | 'hclfmt'; path: string };

async function terraformFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /\.tf$|\.tfvars\.example$/.test(e.name)).map((e) => join(e.parentPath, e.name)).sort();
}

/** Exit status of the format check over `dir` (0 = already formatted). */
async function formatCheck(dir: string): Promise<number> {
  const files = await terraformFiles(dir);
  try {
    if (formatter.kind === 'terraform') await run(formatter.path, ['fmt', '-check', '-recursive', dir]);
    else for (const file of files) await run(formatter.path, ['-require-no-change', file]);
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? 1;
  }
}

beforeAll(async () => {
  const { stdout } = await run('bash', [join(repoRoot, 'scripts/ensure-terraform-fmt.sh')], { timeout: 600_000 });
  const [kind, path] = stdout.trim().split('\n').pop()!.split(' ') as ['terraform' | 'hclfmt', string];
  formatter = { kind, path };
}, 600_000);

describe('infra/terraform', () => {
  it('is formatted (terraform fmt -check)', async () => {
    expect(await terraformFiles(terraformDir)).toHaveLength(23);
    expect(await formatCheck(terraformDir)).toBe(0);
  });

  it('the check fails on a misformatted copy', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'akvsync-tf-'));
    try {
      await cp(terraformDir, copy, { recursive: true });
      const file = join(copy, 'outputs.tf');
      await writeFile(file, (await readFile(file, 'utf8')).replace('value = module.storage.account_name', 'value =    module.storage.account_name'));
      expect(await formatCheck(copy)).not.toBe(0);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('every file parses as HCL', async () => {
    for (const file of await terraformFiles(terraformDir)) {
      await expect(parse(file, await readFile(file, 'utf8'))).resolves.toEqual(expect.any(Object));
    }
  });
});
