/**
 * `scripts/node --import tsx scripts/image/bundle-agent.ts <outfile>`: the cluster agent (cluster-agent/main.ts)
 * as one ES module with its dependencies inlined — what the image runs as `node /app/agent.mjs`.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { bundleAgent } from '../bundle/esm-bundle.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const outfile = process.argv[2];
if (!outfile) {
  console.error('usage: bundle-agent.ts <outfile>');
  process.exit(2);
}
await bundleAgent(repoRoot, resolve(outfile));
