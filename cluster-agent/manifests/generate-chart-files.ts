/**
 * Writes the Helm chart's generated files (cluster-agent/chart/files/) from the agent's single sources (chart-files.ts).
 *   scripts/node --import tsx cluster-agent/manifests/generate-chart-files.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-chart-files.ts --check  # exit 1 if a file is stale
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHART_GENERATED_FILES } from './chart-files.js';

const chartDir = new URL('../chart/', import.meta.url);
let stale = false;
for (const { file, content } of CHART_GENERATED_FILES()) {
  const target = new URL(file, chartDir);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== content) {
      console.error(`cluster-agent/chart/${file} is stale: run cluster-agent/manifests/generate-chart-files.ts`);
      stale = true;
    }
  } else {
    mkdirSync(dirname(fileURLToPath(target)), { recursive: true });
    writeFileSync(target, content);
    console.log(`wrote cluster-agent/chart/${file}`);
  }
}
if (stale) process.exitCode = 1;
