/**
 * Builds the Function app's deployable folder: the app bundled into one ES module by esbuild (every runtime
 * dependency inlined, nothing from devDependencies, no node_modules), `host.json` as in the repository, and a
 * `package.json` whose `main` names the bundle — what the Functions host reads in `wwwroot`.
 * `@azure/functions-core` stays external: the Functions Node.js worker provides it at run time.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { bundleEsm } from '../bundle/esm-bundle.js';

export interface BundleFunctionsOptions {
  /** The repository root (holds package.json, host.json and the entry). */
  readonly repoRoot: string;
  /** Empty or missing folder that receives the app. */
  readonly outDir: string;
}

export interface BundledFunctions {
  readonly outDir: string;
  /** The files written, relative to outDir. */
  readonly files: readonly string[];
}

/** Where the bundle goes inside the app folder; package.json `main` points at it. */
export const BUNDLE_PATH = 'dist/index.mjs';
/** Provided by the Functions worker; bundling it would shadow the worker's own. */
const WORKER_PROVIDED = ['@azure/functions-core'];

interface RepoPackageJson {
  readonly name: string;
  readonly version: string;
  readonly main: string;
  readonly engines?: Readonly<Record<string, string>>;
}

/** `dist/functions/index.js` (package.json main, after tsc) → the TypeScript source `functions/index.ts`. */
export function sourceEntryOf(main: string): string {
  const match = /^dist\/(.+)\.js$/.exec(main);
  if (!match?.[1]) throw new Error(`package.json main "${main}" is not dist/<path>.js; cannot find the Function app's source entry`);
  return `${match[1]}.ts`;
}

export async function bundleFunctions(options: BundleFunctionsOptions): Promise<BundledFunctions> {
  const repoPackage = JSON.parse(await readFile(join(options.repoRoot, 'package.json'), 'utf8')) as RepoPackageJson;
  const entry = join(options.repoRoot, sourceEntryOf(repoPackage.main));
  await mkdir(join(options.outDir, 'dist'), { recursive: true });
  await bundleEsm({ repoRoot: options.repoRoot, entry, outfile: join(options.outDir, BUNDLE_PATH), external: WORKER_PROVIDED });
  const appPackage = {
    name: `${repoPackage.name}-functions`,
    version: repoPackage.version,
    private: true,
    type: 'module',
    main: BUNDLE_PATH,
    ...(repoPackage.engines ? { engines: repoPackage.engines } : {}),
  };
  await writeFile(join(options.outDir, 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
  await copyFile(join(options.repoRoot, 'host.json'), join(options.outDir, 'host.json'));
  const entries = await readdir(options.outDir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => relative(options.outDir, join(e.parentPath, e.name))).sort();
  return { outDir: options.outDir, files };
}
