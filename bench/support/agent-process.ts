/**
 * The agent as it ships — the esbuild bundle of cluster-agent/main.ts that the image runs (scripts/image/), with the
 * image's NODE_ENV and NODE_OPTIONS (its heap size) — started as a child process of the benchmark, configured from its
 * environment as in a Pod. A benchmark that measures the
 * agent's memory, or that loads it with requests, must not share a heap or an event loop with the load generator and
 * the emulator: this gives the agent its own. Its resident set is read from /proc (VmRSS now, VmHWM = the kernel's
 * peak). Log lines at `warn` and above go to stderr; nothing the agent logs carries a value.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleAgent as bundleAgentFile } from '../../scripts/bundle/esm-bundle.js';
import type { KeyVaultEmulator } from '../../scripts/kv-emulator/emulator.js';
import { freePort } from '../../scripts/local-stack/free-port.js';
import { waitUntil } from '../../scripts/local-stack/wait-until.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles the agent into `dir`/agent.mjs (as `npm run image:build` does) and returns its path. */
export async function bundleAgent(dir: string): Promise<string> {
  const outfile = join(dir, 'agent.mjs');
  await bundleAgentFile(repoRoot, outfile);
  return outfile;
}

export interface AgentProcessOptions {
  readonly bundle: string;
  readonly kubeconfigPath: string;
  /** The local CA (the emulator's and the apiserver's), trusted through NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  readonly emulator: KeyVaultEmulator;
  readonly vaults: readonly string[];
  /** The agent's namespace (its data-hash key Secret lives there). */
  readonly namespace: string;
  /** More settings (AKVSYNC_*); the notify endpoint is off unless these turn it on. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface AgentProcess {
  readonly pid: number;
  readonly metricsUrl: string;
  /** Resident set now, MiB. */
  rssMiB(): number;
  /** The highest resident set since the process started (the kernel's VmHWM), MiB. */
  peakRssMiB(): number;
  /** The value of one Prometheus sample on /metrics (summed over label sets matching `labels`), or 0. */
  metric(name: string, labels?: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const metricsPort = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...imageNodeEnv(),
    NODE_EXTRA_CA_CERTS: options.caFile,
    KUBECONFIG: options.kubeconfigPath,
    AKVSYNC_NOTIFY_ENABLED: 'false',
    AKVSYNC_NAMESPACE: options.namespace,
    AKVSYNC_VAULT_URLS: JSON.stringify(Object.fromEntries(options.vaults.map((v) => [v, options.emulator.vaultUrl(v)]))),
    AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
    AZURE_TENANT_ID: options.emulator.tenantId,
    AZURE_CLIENT_ID: options.emulator.clientId,
    AZURE_CLIENT_SECRET: options.emulator.clientSecret,
    AZURE_AUTHORITY_HOST: options.emulator.authorityHost,
    AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true',
    AKVSYNC_METRICS_HOST: '127.0.0.1',
    AKVSYNC_METRICS_PORT: String(metricsPort),
    AKVSYNC_LOG_LEVEL: 'warn',
    ...options.env,
  };
  // BENCH_AGENT_NODE_ARGS: extra Node flags while investigating (e.g. --heapsnapshot-signal=SIGUSR2).
  const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, options.bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the agent process did not start');
  let exited: string | undefined;
  child.once('exit', (code, signal) => void (exited = `exited (${code ?? signal})`));
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => void process.stderr.write(`agent: ${chunk.toString('utf8')}`));
  const base = `http://127.0.0.1:${metricsPort}`;
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    await waitUntil('the agent process to serve /healthz', async () => (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) || undefined, {
      timeoutMs: 60_000, intervalMs: 50, failFast: () => (exited ? new Error(`the agent ${exited}`) : undefined),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid,
    metricsUrl: `${base}/metrics`,
    rssMiB: () => statusKiB(pid, 'VmRSS') / 1024,
    peakRssMiB: () => statusKiB(pid, 'VmHWM') / 1024,
    async metric(name, labels = '') {
      const text = await (await fetch(`${base}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (labels !== '' && !line.includes(labels)) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    stop,
  };
}

/** The Node settings of the image's environment (scripts/image/image-config.json): NODE_ENV and NODE_OPTIONS (heap size). */
export function imageNodeEnv(): Record<string, string> {
  const config = JSON.parse(readFileSync(join(repoRoot, 'scripts/image/image-config.json'), 'utf8')) as { env: string[] };
  const pairs = config.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const);
  return Object.fromEntries(pairs.filter(([name]) => name === 'NODE_ENV' || name === 'NODE_OPTIONS'));
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}
