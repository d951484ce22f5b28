/**
 * `npm run package:functions [-- --out dist/functions-app.zip]`
 * Writes the Function app's deployable zip (what `az functionapp deployment source config-zip` or a Flex
 * Consumption one-deploy takes): host.json, package.json (`main` → the bundle) and the esbuild bundle. Prints
 * the zip's path and size.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleFunctions } from './bundle-functions.js';
import { zipFolder } from './zip-folder.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist/functions-app.zip' } }, strict: true });
  const zipPath = resolve(values.out);
  const staging = await mkdtemp(join(tmpdir(), 'akvsync-functions-'));
  try {
    const bundled = await bundleFunctions({ repoRoot, outDir: staging });
    await zipFolder(staging, zipPath);
    const { size } = await stat(zipPath);
    console.log(`${zipPath} (${(size / 1024 / 1024).toFixed(1)} MiB): ${bundled.files.join(', ')}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
