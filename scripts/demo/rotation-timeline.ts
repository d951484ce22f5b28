/**
 * One rotation of the demo: a new secret version through the real SDK (SecretClient.setSecret), then waiting, by
 * polling the recorded milestones, until every step of the event path has happened for that version. Returns the
 * steps with their offsets from the moment setSecret was called. Never carries the value itself.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { Milestone, MilestoneKind, MilestoneRecorder } from './milestones.js';

export interface TimelineStep {
  readonly kind: MilestoneKind | 'version-created';
  readonly label: string;
  /** ms since setSecret was called; undefined when the step did not happen in time. */
  readonly offsetMs: number | undefined;
}

export interface RotationResult {
  readonly version: string;
  readonly steps: readonly TimelineStep[];
  readonly complete: boolean;
}

export interface RotationTarget {
  readonly client: SecretClient;
  readonly objectName: string;
  readonly namespace: string;
  readonly secretName: string;
  readonly deployment: string;
  /** A fresh value per rotation (never printed). */
  readonly newValue: () => string;
  readonly timeoutMs?: number;
}

const short = (s: string, n = 12): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export async function rotateAndTrace(recorder: MilestoneRecorder, target: RotationTarget): Promise<RotationResult> {
  const t0 = performance.now();
  const { properties } = await target.client.setSecret(target.objectName, target.newValue());
  const createdAt = performance.now();
  const version = properties.version ?? '';
  const byVersion = (m: Milestone): boolean => m.version?.toLowerCase() === version.toLowerCase();

  const lookup = (): Record<string, Milestone | undefined> => {
    const delivered = recorder.find('event-delivered', t0, byVersion);
    const pushed = recorder.find('notification-pushed', t0, byVersion);
    const verified = recorder.find('notification-verified', t0, byVersion);
    const written = recorder.find('secret-written', t0, (m) => byVersion(m) && m.detail.name === target.secretName);
    const restarted = written && recorder.find('workload-restarted', written.at, (m) => m.detail.name === target.deployment);
    const replicaSet = restarted && recorder.find('replicaset-created', written.at, (m) => m.detail.deployment === target.deployment);
    return { delivered, pushed, verified, written, restarted, replicaSet };
  };
  const deadline = performance.now() + (target.timeoutMs ?? 30_000);
  let found = lookup();
  while (Object.values(found).some((m) => m === undefined) && performance.now() < deadline) {
    await delay(5);
    found = lookup();
  }
  const { delivered, pushed, verified, written, restarted, replicaSet } = found;
  const offset = (m: Milestone | undefined): number | undefined => (m === undefined ? undefined : m.at - t0);
  const steps: TimelineStep[] = [
    { kind: 'version-created', label: `new version ${short(version)} created (SecretClient.setSecret answered)`, offsetMs: createdAt - t0 },
    { kind: 'event-delivered', label: `Event Grid delivery reached the Function (HTTP ${delivered?.detail.status ?? '?'})`, offsetMs: offset(delivered) },
    { kind: 'notification-pushed', label: `Function pushed a signed notification (${pushed?.detail.bytes ?? '?'} bytes, names and version only)`, offsetMs: offset(pushed) },
    { kind: 'notification-verified', label: 'agent verified the signature and queued the object', offsetMs: offset(verified) },
    {
      kind: 'secret-written',
      label: `Secret ${target.namespace}/${target.secretName} updated (data hash ${short(String(written?.detail.dataHash ?? '?'), 19)})`,
      offsetMs: offset(written),
    },
    { kind: 'workload-restarted', label: `Deployment ${target.deployment} restarted (pod-template annotation patched)`, offsetMs: offset(restarted) },
    { kind: 'replicaset-created', label: `new ReplicaSet ${replicaSet?.detail.name ?? '?'} (seen by a watch)`, offsetMs: offset(replicaSet) },
  ];
  return { version, steps, complete: steps.every((s) => s.offsetMs !== undefined) };
}

/** The timeline as printable lines. */
export function formatTimeline(index: number, total: number, objectName: string, result: RotationResult): string[] {
  const lines = [`rotation ${index}/${total}: ${objectName} → version ${result.version}`];
  for (const step of result.steps) {
    const at = step.offsetMs === undefined ? '   (missing)' : `+${step.offsetMs.toFixed(1).padStart(8)} ms`;
    lines.push(`  ${at}  ${step.label}`);
  }
  return lines;
}
