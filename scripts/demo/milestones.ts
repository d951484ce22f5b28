/**
 * Records, with one clock (performance.now() of this process), every step a rotation goes through on the local
 * pipeline: the Event Grid delivery reaching the Function and the Function's signed push (both seen at the recording
 * proxies), the agent's own events, and new ReplicaSets seen by a Kubernetes watch. Versions, names and hashes only.
 */
import { Watch, type KubeConfig, type V1ReplicaSet } from '@kubernetes/client-node';
import type { LocalPipeline } from './local-pipeline.js';
import type { RecordedExchange } from './recording-proxy.js';

export type MilestoneKind =
  | 'event-delivered'
  | 'notification-pushed'
  | 'notification-verified'
  | 'secret-written'
  | 'workload-restarted'
  | 'replicaset-created';

export interface Milestone {
  readonly kind: MilestoneKind;
  /** performance.now() of this process. */
  readonly at: number;
  /** Key Vault version this step is about, when the step names one. */
  readonly version: string | undefined;
  readonly detail: Readonly<Record<string, string | number>>;
}

export interface MilestoneRecorder {
  readonly milestones: readonly Milestone[];
  /** The first milestone of `kind` at or after `since` that matches. */
  find(kind: MilestoneKind, since: number, match?: (m: Milestone) => boolean): Milestone | undefined;
  stop(): Promise<void>;
}

const VERSION_IN_BODY = /"(?:Version|version)"\s*:\s*"([0-9a-fA-F]{32})"/;

/** The first milestone of `kind` at or after `since` that matches (milestones are in arrival order). */
export function findMilestone(
  milestones: readonly Milestone[],
  kind: MilestoneKind,
  since: number,
  match?: (m: Milestone) => boolean,
): Milestone | undefined {
  return milestones.find((m) => m.kind === kind && m.at >= since && (match?.(m) ?? true));
}

function fromExchange(kind: MilestoneKind, x: RecordedExchange): Milestone {
  return { kind, at: x.receivedAt, version: VERSION_IN_BODY.exec(x.requestBody)?.[1], detail: { status: x.status, bytes: Buffer.byteLength(x.requestBody), answeredAt: x.respondedAt } };
}

/** Starts recording; `namespace` scopes the ReplicaSet watch. Needs a pipeline started with `record: true`. */
export async function recordMilestones(pipeline: LocalPipeline, kubeConfig: KubeConfig, namespace: string): Promise<MilestoneRecorder> {
  const milestones: Milestone[] = [];
  const push = (m: Milestone): void => void milestones.push(m);
  const { agent, eventGridProxy, pushProxy } = pipeline;
  if (!eventGridProxy || !pushProxy) throw new Error('recordMilestones needs a pipeline started with record: true');

  const onDelivery = (x: RecordedExchange): void => push(fromExchange('event-delivered', x));
  const onPush = (x: RecordedExchange): void => push(fromExchange('notification-pushed', x));
  eventGridProxy.events.on('exchange', onDelivery);
  pushProxy.events.on('exchange', onPush);
  const onVerified = (e: { version: string; objectName: string }): void =>
    push({ kind: 'notification-verified', at: performance.now(), version: e.version, detail: { objectName: e.objectName } });
  const onWritten = (e: { namespace: string; name: string; version: string; dataHash: string }): void =>
    push({ kind: 'secret-written', at: performance.now(), version: e.version, detail: { namespace: e.namespace, name: e.name, dataHash: e.dataHash } });
  const onRestarted = (e: { kind: string; namespace: string; name: string }): void =>
    push({ kind: 'workload-restarted', at: performance.now(), version: undefined, detail: { kind: e.kind, namespace: e.namespace, name: e.name } });
  agent.events.on('notification-verified', onVerified);
  agent.events.on('secret-written', onWritten);
  agent.events.on('workload-restarted', onRestarted);

  const watch = new Watch(kubeConfig);
  let stopped = false;
  const abort = await watch.watch(
    `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    {},
    (phase: string, rs: V1ReplicaSet) => {
      if (phase !== 'ADDED') return;
      const owner = rs.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
      push({ kind: 'replicaset-created', at: performance.now(), version: undefined, detail: { name: rs.metadata?.name ?? '', deployment: owner?.name ?? '' } });
    },
    (error: unknown) => {
      // The one place a lost watch is reported; the rotation that needed it then says which step is missing.
      if (!stopped && error) process.stderr.write(`ReplicaSet watch ended: ${(error as Error).message ?? String(error)}\n`);
    },
  );

  return {
    milestones,
    find: (kind, since, match) => findMilestone(milestones, kind, since, match),
    async stop() {
      stopped = true;
      abort.abort();
      eventGridProxy.events.off('exchange', onDelivery);
      pushProxy.events.off('exchange', onPush);
      agent.events.off('notification-verified', onVerified);
      agent.events.off('secret-written', onWritten);
      agent.events.off('workload-restarted', onRestarted);
    },
  };
}
