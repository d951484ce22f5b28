/**
 * The one JSON object every benchmark prints to stdout and writes to bench/results/<name>.json.
 * Targets are compared against measured values here, never hard-coded as met.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, type MachineInfo } from './machine-info.js';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export interface TargetCheck {
  readonly metric: string;
  /** Human-readable target, e.g. "<= 50 ms". */
  readonly target: string;
  readonly actual: number;
  readonly unit: string;
  readonly met: boolean;
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  /** How the number was produced, in prose: what runs, what is counted, what is modelled. */
  readonly method: string;
  readonly targets: readonly TargetCheck[];
  readonly metrics: Readonly<Record<string, unknown>>;
  /** Anything a reader must know to trust (or distrust) the numbers. */
  readonly notes: readonly string[];
}

export function atMost(metric: string, actual: number, limit: number, unit: string): TargetCheck {
  return { metric, target: `<= ${limit} ${unit}`, actual, unit, met: actual <= limit };
}

export function atLeast(metric: string, actual: number, floor: number, unit: string): TargetCheck {
  return { metric, target: `>= ${floor} ${unit}`, actual, unit, met: actual >= floor };
}

export function exactly(metric: string, actual: number, expected: number, unit: string): TargetCheck {
  return { metric, target: `== ${expected} ${unit}`, actual, unit, met: actual === expected };
}

export interface BenchRun {
  readonly name: string;
  readonly title: string;
  readonly startedAtMs: number;
}

export function beginBench(name: string, title: string): BenchRun {
  return { name, title, startedAtMs: Date.now() };
}

/** Builds the result, writes bench/results/<name>.json and prints it as one JSON object on stdout. */
export function finishBench(
  run: BenchRun,
  body: { method: string; targets: readonly TargetCheck[]; metrics: Record<string, unknown>; notes?: readonly string[] },
): BenchResult {
  const result: BenchResult = {
    name: run.name,
    title: run.title,
    startedAt: new Date(run.startedAtMs).toISOString(),
    durationMs: Date.now() - run.startedAtMs,
    machine: machineInfo(),
    method: body.method,
    targets: body.targets,
    metrics: body.metrics,
    notes: body.notes ?? [],
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync(join(RESULTS_DIR, `${run.name}.json`), json + '\n');
  process.stdout.write(json + '\n');
  return result;
}
