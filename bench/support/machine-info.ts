/** What the numbers were measured on, recorded in every result so they can be compared honestly. */
import os from 'node:os';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly totalMemoryMiB: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    node: process.version,
  };
}

/** The 1, 5 and 15 minute load averages now (other engineers share these cores: say what load a number was taken under). */
export function loadAverage(): readonly [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg().map((l) => Math.round(l * 100) / 100);
  return [one, five, fifteen];
}
