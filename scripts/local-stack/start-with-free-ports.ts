/**
 * Starts a binary that must be given its ports up front: picks free ports, starts it, waits until it is
 * ready, and retries with new ports if another process grabbed one in between.
 */
import { freePort } from './free-port.js';
import type { ManagedProcess } from './managed-process.js';

const ATTEMPTS = 3;

/** Called with each process as soon as it is spawned, so an owner can stop it even while it starts. */
export type OnSpawn = (proc: ManagedProcess) => void;

export async function startWithFreePorts<T>(
  portCount: number,
  start: (ports: number[]) => ManagedProcess,
  ready: (proc: ManagedProcess, ports: number[]) => Promise<T>,
  onSpawn?: OnSpawn,
): Promise<{ proc: ManagedProcess; ports: number[]; ready: T }> {
  for (let attempt = 1; ; attempt++) {
    const ports = await Promise.all(Array.from({ length: portCount }, () => freePort()));
    const proc = start(ports);
    onSpawn?.(proc);
    try {
      return { proc, ports, ready: await ready(proc, ports) };
    } catch (error) {
      await proc.stop(500);
      const portTaken = /address already in use/i.test(proc.logTail(200));
      if (!portTaken || attempt >= ATTEMPTS) {
        const message = error instanceof Error ? error.message : String(error);
        throw message.includes(proc.logFile) ? error : proc.failure(`did not become ready: ${message}`);
      }
      process.stderr.write(`local-stack: ${proc.name} lost a port race (attempt ${attempt}); retrying with new ports\n`);
    }
  }
}
