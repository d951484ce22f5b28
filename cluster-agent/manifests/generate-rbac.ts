/**
 * Writes the agent's RBAC manifests next to this file from cluster-agent/rbac/agent-rbac-rules.ts (one source).
 *   scripts/node --import tsx cluster-agent/manifests/generate-rbac.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-rbac.ts --check  # exit 1 if a file is stale
 */
import { agentRbacManifests } from '../rbac/agent-rbac-manifests.js';
import { writeGeneratedFiles } from './write-generated-files.js';

writeGeneratedFiles(
  agentRbacManifests().map(({ file, yaml }) => ({ target: new URL(file, import.meta.url), label: file, content: yaml })),
  'cluster-agent/manifests/generate-rbac.ts',
);
