/**
 * Compiles a TypeScript entry to plain JavaScript with esbuild, as the Function runs in Azure (tsc output), so a
 * benchmark measures that and not tsx: under tsx every closure created at run time is wrapped by esbuild's keepNames
 * helper, which slows the routing code markedly. Our sources are bundled into one ESM file; npm packages stay
 * imports (`external: true`), resolved from node_modules because the file is written inside the repository.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Writes `<entry>.mjs` into a fresh directory under node_modules/.cache and returns its path. */
export async function compileForBench(entry: string, options: { external?: boolean } = {}): Promise<string> {
  const cache = join(repoRoot, 'node_modules', '.cache', 'akvsync-bench');
  mkdirSync(cache, { recursive: true });
  const outfile = join(mkdtempSync(join(cache, 'build-')), `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2023',
    outfile,
    logLevel: 'error',
    ...(options.external ? { packages: 'external' as const } : {}),
  });
  return outfile;
}
