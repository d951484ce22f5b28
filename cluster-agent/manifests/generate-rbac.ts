/**
 * Writes the agent's RBAC manifests next to this file from cluster-agent/rbac/agent-rbac-rules.ts (one source).
 *   scripts/node --import tsx cluster-agent/manifests/generate-rbac.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-rbac.ts --check  # exit 1 if a file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AGENT_RBAC_MANIFESTS } from '../rbac/agent-rbac-manifests.js';

let stale = false;
for (const { file, yaml } of AGENT_RBAC_MANIFESTS()) {
  const target = new URL(file, import.meta.url);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== yaml) {
      console.error(`${file} is stale: run cluster-agent/manifests/generate-rbac.ts`);
      stale = true;
    }
  } else {
    writeFileSync(target, yaml);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exitCode = 1;
