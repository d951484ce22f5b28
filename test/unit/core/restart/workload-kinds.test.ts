import { BUILT_IN_WORKLOAD_KINDS, isWorkloadKind, podTemplateOf, restartPatch, restartRecordOf, WORKLOAD_KINDS } from '../../../../core/restart/workload-kinds.js';

describe('WORKLOAD_KINDS', () => {
  it('covers Deployments, StatefulSets and DaemonSets, and Argo Rollouts as an optional custom resource', () => {
    expect(Object.keys(WORKLOAD_KINDS).sort()).toEqual(['DaemonSet', 'Deployment', 'Rollout', 'StatefulSet']);
    expect(BUILT_IN_WORKLOAD_KINDS).toEqual(['Deployment', 'StatefulSet', 'DaemonSet']);
    expect(WORKLOAD_KINDS.Rollout).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', plural: 'rollouts', restart: 'restart-at', optional: true });
    expect(isWorkloadKind('StatefulSet')).toBe(true);
    expect(isWorkloadKind('CronJob')).toBe(false);
    expect(isWorkloadKind('toString')).toBe(false);
  });

  it('finds the pod template of a raw workload', () => {
    const template = { metadata: {}, spec: { containers: [] } };
    expect(podTemplateOf('DaemonSet', { spec: { template } })).toBe(template);
    expect(podTemplateOf('Rollout', { spec: { template } })).toBe(template);
    expect(podTemplateOf('Deployment', { spec: null })).toBeUndefined();
    expect(podTemplateOf('Deployment', undefined)).toBeUndefined();
  });

  it('restarts apps workloads with one pod-template annotation', () => {
    expect(restartPatch('StatefulSet', 'restart.akvsync.io/secret-a', 'h', '2026-12-01T00:00:00.000Z')).toEqual({
      spec: { template: { metadata: { annotations: { 'restart.akvsync.io/secret-a': 'h' } } } },
    });
  });

  it('restarts a Rollout with spec.restartAt, recording the hash on the Rollout (no new revision)', () => {
    expect(restartPatch('Rollout', 'restart.akvsync.io/secret-a', 'h', '2026-12-01T00:00:00.000Z')).toEqual({
      metadata: { annotations: { 'restart.akvsync.io/secret-a': 'h' } }, spec: { restartAt: '2026-12-01T00:00:00.000Z' },
    });
    const w = { annotations: { a: 'workload' }, podTemplate: { annotations: { a: 'template' } } };
    expect(restartRecordOf('Rollout', w)).toEqual({ a: 'workload' });
    expect(restartRecordOf('Deployment', w)).toEqual({ a: 'template' });
  });
});
