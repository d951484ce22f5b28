/**
 * `npm run bench`: runs every benchmark in sequence, each in its own process (so one's stack, heap and
 * timers cannot disturb the next), then writes bench/results/summary.json.
 * `npm run bench -- function-throughput polling-calls` runs only the named ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './support/bench-result.js';
import { RESULTS_DIR } from './support/bench-result.js';
import { machineInfo } from './support/machine-info.js';

const BENCHMARKS = [
  'function-throughput',
  'fleet-routing',
  'polling-calls-per-hour',
  'notification-latency',
  'queue-propagation',
  'fan-out-1000-crs',
  'peer-external-secrets',
  'env-exec-start',
  'cold-start-10000-crs',
  'admission-latency',
  'leader-failover',
] as const;

const here = dirname(fileURLToPath(import.meta.url));
let current: ChildProcess | undefined;

function runOne(name: string): Promise<{ exitCode: number | null; signal: string | null; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    current = child;
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => {
      current = undefined;
      resolve({ exitCode, signal, elapsedMs: Date.now() - started });
    });
  });
}

function forwardSignal(signal: NodeJS.Signals): void {
  process.on(signal, () => {
    if (current?.pid !== undefined) current.kill(signal);
    process.exitCode = 130;
  });
}

async function main(): Promise<void> {
  forwardSignal('SIGINT');
  forwardSignal('SIGTERM');
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(BENCHMARKS as readonly string[]).includes(w));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  const selected = wanted.length > 0 ? wanted : [...BENCHMARKS];

  const entries = [];
  for (const name of selected) {
    if (process.exitCode === 130) break;
    const file = join(RESULTS_DIR, `${name}.json`);
    process.stderr.write(`bench: running ${name}\n`);
    const startedAt = Date.now();
    const run = await runOne(name);
    // A benchmark writes its file only when it completes: an older file means this run produced none.
    const written = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult) : undefined;
    const result = written && Date.parse(written.startedAt) >= startedAt - 1000 ? written : undefined;
    entries.push({
      name,
      ok: run.exitCode === 0 && result !== undefined,
      exitCode: run.exitCode,
      signal: run.signal,
      elapsedMs: run.elapsedMs,
      targets: result?.targets ?? [],
      allTargetsMet: result !== undefined && result.targets.every((t) => t.met),
    });
  }
  if (process.exitCode === 130) {
    process.stderr.write('bench: interrupted; summary.json left as it was\n');
    return;
  }
  // A run of some benchmarks keeps the others' last entries, so summary.json always covers every benchmark.
  const summaryFile = join(RESULTS_DIR, 'summary.json');
  const previous = existsSync(summaryFile) ? ((JSON.parse(readFileSync(summaryFile, 'utf8')) as { benchmarks?: typeof entries }).benchmarks ?? []) : [];
  const kept = previous.filter((p) => BENCHMARKS.includes(p.name as (typeof BENCHMARKS)[number]) && !selected.includes(p.name));
  const all = [...kept, ...entries].sort((a, b) => BENCHMARKS.indexOf(a.name as (typeof BENCHMARKS)[number]) - BENCHMARKS.indexOf(b.name as (typeof BENCHMARKS)[number]));
  const summary = {
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    benchmarks: all,
    allTargetsMet: all.length > 0 && all.every((e) => e.ok && e.allTargetsMet),
  };
  writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + '\n');
  for (const e of entries) {
    const line = e.targets.map((t) => `${t.metric}=${t.actual}${t.unit === '' ? '' : ' ' + t.unit} (${t.target}: ${t.met ? 'met' : 'MISSED'})`);
    process.stderr.write(`bench: ${e.name}: ${e.ok ? line.join('; ') : `FAILED (exit ${e.exitCode ?? e.signal})`}\n`);
  }
  if (entries.some((e) => !e.ok)) process.exitCode = 1;
}

await main();
