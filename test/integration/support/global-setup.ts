/**
 * jest globalSetup of the integration project: starts ONE local stack (control plane + Azurite) per run.
 * jest loads this file as CommonJS without moduleNameMapper, so our ESM sources (which import "./x.js")
 * are loaded through tsx; only type imports may be relative here.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as LocalTestStack from './local-test-stack.js';

export default async function globalSetup(_globalConfig: unknown, projectConfig: { rootDir: string }): Promise<void> {
  const { tsImport } = await import('tsx/esm/api');
  const module = (await tsImport(pathToFileURL(join(projectConfig.rootDir, 'test/integration/support/local-test-stack.ts')).href, {
    parentURL: pathToFileURL(`${projectConfig.rootDir}/`).href,
  })) as typeof LocalTestStack;
  await module.startTestStack();
}
