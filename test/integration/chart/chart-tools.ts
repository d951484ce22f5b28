/**
 * Running helm (built from the Go module proxy by scripts/ensure-helm.sh) and kubectl on the chart in
 * cluster-agent/chart/ from the integration tests.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const chartDir = join(repoRoot, 'cluster-agent/chart');
/** helm template assumes an old Kubernetes without it (its version is stamped at build time). */
export const KUBE_VERSION = '1.36';

/**
 * The smallest valid values: a workload identity client id and the notify endpoint's TLS Secret. And the webhook
 * (on by default) sent only pods with a label no test pod has: releases installed here share the jest run's apiserver
 * with tests that label namespaces for injection, and the chart's webhook names a Service the local stack cannot reach.
 */
export const NO_POD_SELECTED = { matchLabels: { 'akvsync.io/chart-test': 'no-pod-has-this-label' } };
export const BASE_VALUES = {
  workloadIdentity: { clientId: '00000000-0000-4000-8000-000000000001' },
  notify: { tlsSecretName: 'akvsync-notify-tls' },
  webhook: { objectSelector: NO_POD_SELECTED },
};

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface CommandResult { code: number; stdout: string; stderr: string }

/** Builds helm once (minutes when cold; cached under ~/.cache/akvsync/helm/) and returns its path. */
export async function ensureHelm(): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot, 'scripts/ensure-helm.sh')], { timeout: 1_200_000, maxBuffer: 1 << 20 });
  return stdout.trim().split('\n').pop()!;
}

/** Runs a command, feeding `input` on stdin; never throws on a non-zero exit. */
export function runCommand(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Writes values to a temporary file (JSON is YAML) for `--values`. */
export function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'akvsync-chart-')), 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return file;
}

export async function helmTemplate(helm: string, values: unknown, options: { namespace?: string; release?: string; chart?: string } = {}): Promise<CommandResult> {
  return runCommand(helm, [
    'template', options.release ?? 'akvsync', options.chart ?? chartDir, '--namespace', options.namespace ?? 'akvsync-system',
    '--kube-version', KUBE_VERSION, '--values', valuesFile(values),
  ]);
}

/** The objects of a rendered multi-document YAML. */
export function parseObjects(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml).map((d) => {
    if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject | null;
  }).filter((o): o is K8sObject => o !== null);
}

export async function renderObjects(helm: string, values: unknown, options?: { namespace?: string; release?: string; chart?: string }): Promise<K8sObject[]> {
  const result = await helmTemplate(helm, values, options);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

export function findObject(objects: K8sObject[], kind: string, name?: string, namespace?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name) && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? ''}/${name ?? ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
