/**
 * Writes the Helm chart's generated files (cluster-agent/chart/files/) from the agent's single sources (chart-files.ts).
 *   scripts/node --import tsx cluster-agent/manifests/generate-chart-files.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-chart-files.ts --check  # exit 1 if a file is stale
 */
import { CHART_GENERATED_FILES } from './chart-files.js';
import { writeGeneratedFiles } from './write-generated-files.js';

const chartDir = new URL('../chart/', import.meta.url);
writeGeneratedFiles(
  CHART_GENERATED_FILES().map(({ file, content }) => ({ target: new URL(file, chartDir), label: `cluster-agent/chart/${file}`, content })),
  'cluster-agent/manifests/generate-chart-files.ts',
);
