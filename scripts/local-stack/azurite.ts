/**
 * Azurite (blob, queue and table) as a child process from node_modules: in memory, loopback, ports chosen
 * by the kernel and read back from its output, telemetry off, any API version accepted (the SDKs are newer
 * than the emulator), unsupported headers ignored. Uses the well-known development account.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ManagedProcess } from './managed-process.js';
import { removeTempDir, trackTempDir } from './process-registry.js';
import { waitUntil } from './wait-until.js';

/** Azurite's fixed development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteEndpoints {
  /** Connection string with all three endpoints, for the @azure/storage-* and data-tables SDKs. */
  readonly connectionString: string;
  /** Service URLs including the account path, e.g. http://127.0.0.1:41234/devstoreaccount1 */
  readonly blobUrl: string;
  readonly queueUrl: string;
  readonly tableUrl: string;
  readonly accountName: string;
  readonly accountKey: string;
}

export interface Azurite extends AzuriteEndpoints {
  readonly logFile: string;
  stop(): Promise<void>;
}

const SERVICES = ['Blob', 'Queue', 'Table'] as const;
type Service = (typeof SERVICES)[number];

function readPorts(log: string): Record<Service, number> | undefined {
  const ports: Partial<Record<Service, number>> = {};
  for (const match of log.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/127\.0\.0\.1:(\d+)/g)) {
    ports[match[1] as Service] = Number(match[2]);
  }
  return ports.Blob && ports.Queue && ports.Table ? (ports as Record<Service, number>) : undefined;
}

export interface AzuriteOptions {
  /** Working directory for its log (it keeps data in memory). Default: a new temp dir, removed by stop(). */
  readonly dataDir?: string;
  readonly log?: (message: string) => void;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const began = performance.now();
  const ownsDir = options.dataDir === undefined;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'akvsync-azurite-'));
  if (ownsDir) trackTempDir(dir);
  else mkdirSync(dir, { recursive: true, mode: 0o700 });
  const script = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // e.g. jest's --experimental-vm-modules: not for Azurite
  const logFile = join(dir, 'azurite.log');
  const proc = ManagedProcess.start({
    name: 'azurite',
    command: process.execPath,
    match: script,
    cwd: dir, // --inMemoryPersistence forbids --location; the working directory is its workspace
    env,
    logFile,
    args: [
      script,
      ...SERVICES.flatMap((s) => [`--${s.toLowerCase()}Host`, '127.0.0.1', `--${s.toLowerCase()}Port`, '0']),
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      '256',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
  });
  const stop = async (): Promise<void> => {
    await proc.stop(1000);
    if (ownsDir) removeTempDir(dir);
  };
  try {
    const ports = await waitUntil('Azurite to listen', async () => readPorts(readFileSync(logFile, 'utf8')), {
      timeoutMs: 30_000,
      intervalMs: 20,
      failFast: () => (proc.exitStatus ? proc.failure('exited during start-up') : undefined),
    });
    const url = (service: Service): string => `http://127.0.0.1:${ports[service]}/${AZURITE_ACCOUNT_NAME}`;
    options.log?.(`azurite ready after ${Math.round(performance.now() - began)} ms`);
    let stopping: Promise<void> | undefined;
    return {
      connectionString:
        `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
        `BlobEndpoint=${url('Blob')};QueueEndpoint=${url('Queue')};TableEndpoint=${url('Table')};`,
      blobUrl: url('Blob'),
      queueUrl: url('Queue'),
      tableUrl: url('Table'),
      accountName: AZURITE_ACCOUNT_NAME,
      accountKey: AZURITE_ACCOUNT_KEY,
      logFile,
      stop: () => (stopping ??= stop()),
    };
  } catch (error) {
    const failure = error instanceof Error && error.message.includes(logFile) ? error : proc.failure(`did not start: ${String(error)}`);
    await stop(); // may remove the log, so the failure is built first
    throw failure;
  }
}
