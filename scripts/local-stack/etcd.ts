/** etcd on loopback for the local apiserver: one member, data in a temp dir, fsync off (throw-away data), fast election. */
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.js';
import { startWithFreePorts, type OnSpawn } from './start-with-free-ports.js';
import { waitUntil } from './wait-until.js';

export interface Etcd {
  /** Client URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly process: ManagedProcess;
}

export async function startEtcd(binDir: string, dataDir: string, onSpawn?: OnSpawn): Promise<Etcd> {
  const binary = join(binDir, 'etcd');
  const { proc, ports } = await startWithFreePorts(
    2,
    ([client, peer]) =>
      ManagedProcess.start({
        name: 'etcd',
        command: binary,
        logFile: join(dataDir, 'etcd.log'),
        args: [
          '--name=default',
          `--data-dir=${join(dataDir, 'etcd')}`,
          `--listen-client-urls=http://127.0.0.1:${client}`,
          `--advertise-client-urls=http://127.0.0.1:${client}`,
          `--listen-peer-urls=http://127.0.0.1:${peer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
          `--initial-cluster=default=http://127.0.0.1:${peer}`,
          '--unsafe-no-fsync',
          // a single member has no peers to time out on: elect it at once
          '--heartbeat-interval=10',
          '--election-timeout=50',
          '--log-level=warn',
        ],
      }),
    (proc, [client]) =>
      waitUntil(
        'etcd /health',
        async () => {
          const response = await fetch(`http://127.0.0.1:${client}/health`);
          const body = (await response.json()) as { health?: string };
          return response.ok && body.health === 'true' ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 25, failFast: () => (proc.exitStatus ? proc.failure('exited during start-up') : undefined) },
      ),
    onSpawn,
  );
  return { url: `http://127.0.0.1:${ports[0]}`, process: proc };
}
