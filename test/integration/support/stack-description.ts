/** Reads the JSON description of a running local stack (written by globalSetup or `npm run stack`). */
import { readFileSync } from 'node:fs';
import type { LocalStackDescription } from '../../../scripts/local-stack/stack.js';

export function readStackDescription(file: string): LocalStackDescription {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`AKVSYNC_TEST_STACK=${file}: cannot read the stack description`, { cause: error });
  }
  const d = parsed as Partial<LocalStackDescription>;
  if (!d.kubernetes?.kubeconfig || !d.azurite?.connectionString || !d.caFile || !d.caKeyFile) {
    throw new Error(`AKVSYNC_TEST_STACK=${file}: not a local stack description (needs kubernetes, azurite, caFile, caKeyFile)`);
  }
  return d as LocalStackDescription;
}
