/**
 * The agent as a real process (`node --import tsx cluster-agent/main.ts`, what `npm run agent` runs), for tests and
 * benchmarks that must kill it as a node failure would (SIGKILL: no clean stop, no Lease release). Configured only
 * through its environment, as in a Pod; its JSON log lines are collected; resolves once it logged "agent started".
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../cluster-agent/main.ts', import.meta.url));

export interface AgentProcessOptions {
  /** The agent's whole configuration (AKVSYNC_*, AZURE_*, KUBECONFIG), as a Pod's env would give it. */
  readonly env: Readonly<Record<string, string>>;
  /** PEM file of extra trusted CAs (the Key Vault emulator's), as NODE_EXTRA_CA_CERTS. */
  readonly extraCaFile?: string;
  readonly startTimeoutMs?: number;
}

export interface AgentProcess {
  readonly pid: number;
  /** https://…/v1/notifications and http://…/metrics, from the "agent started" line. */
  readonly notifyUrl: string;
  readonly metricsUrl: string;
  /** Every stdout line so far (pino JSON). */
  readonly logLines: readonly string[];
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` (default SIGKILL) and waits until the process ended. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
      ...(options.extraCaFile ? { NODE_EXTRA_CA_CERTS: options.extraCaFile } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  createInterface({ input: child.stderr }).on('line', (line) => void (stderr.length < 200 && stderr.push(line)));
  const started = new Promise<{ notifyUrl: string; metricsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent process did not start in time; stderr: ${stderr.slice(-5).join(' | ')}`)), options.startTimeoutMs ?? 90_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      logLines.push(line);
      if (!line.includes('"agent started"')) return;
      clearTimeout(timer);
      const parsed = JSON.parse(line) as { notifyUrl: string; metricsUrl: string };
      resolve({ notifyUrl: parsed.notifyUrl, metricsUrl: parsed.metricsUrl });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent process exited (${code}) before it started; stderr: ${stderr.slice(-5).join(' | ')}`));
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    const urls = await started;
    return { pid: child.pid ?? -1, ...urls, logLines, exited, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}
