/**
 * The local stack and the whole event pipeline for a benchmark process: control plane + Azurite, then the Key
 * Vault emulator, the Function app on the local Functions host and the agent (scripts/demo/local-pipeline.ts).
 * Everything is stopped on stop(), on Ctrl-C and on SIGTERM from run-all.
 */
import { forEachLimited } from '../../core/concurrency/for-each-limited.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyAkvsCrd, createNamespace } from '../../scripts/demo/cluster-fixtures.js';
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from '../../scripts/demo/local-pipeline.js';
import { startLocalStack, type LocalStack } from '../../scripts/local-stack/stack.js';
import { stopOnSignal } from './stop-on-signal.js';

export interface BenchStack {
  readonly stack: LocalStack;
  readonly kubeConfig: KubeConfig;
  readonly pipeline: LocalPipeline;
  stop(): Promise<void>;
}


export async function startBenchStack(options: {
  vaults: string[];
  namespaces: readonly string[];
  /** The agent watches every namespace instead of just `namespaces`. */
  watchAllNamespaces?: boolean;
  pipeline?: Partial<Omit<LocalPipelineOptions, 'ca' | 'kubeConfig' | 'vaults' | 'watchNamespaces'>>;
  /** Pipeline options that name parts of the running stack (e.g. Azurite's connection string), merged over `pipeline`. */
  pipelineFor?: (stack: LocalStack) => Partial<Omit<LocalPipelineOptions, 'ca' | 'kubeConfig' | 'vaults' | 'watchNamespaces'>>;
}): Promise<BenchStack> {
  let stack: LocalStack | undefined;
  let pipeline: LocalPipeline | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await pipeline?.stop();
      await stack?.stop();
    })());
  stopOnSignal(stop);
  try {
    stack = await startLocalStack();
    const kubeConfig = stack.controlPlane.kubeConfig;
    await applyAkvsCrd(kubeConfig);
    await forEachLimited(options.namespaces, 16, (ns) => createNamespace(kubeConfig, ns));
    pipeline = await startLocalPipeline({
      ca: stack.ca,
      kubeConfig,
      vaults: options.vaults,
      watchNamespaces: options.watchAllNamespaces ? [] : options.namespaces,
      agentLogLevel: 'warn',
      onAgentLog: (line) => void process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
      ...options.pipeline,
      ...options.pipelineFor?.(stack),
    });
    return { stack, kubeConfig, pipeline, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
