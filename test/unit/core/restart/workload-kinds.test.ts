import { isWorkloadKind, podTemplateAnnotationPatch, podTemplateOf, WORKLOAD_KINDS } from '../../../../core/restart/workload-kinds.js';

describe('WORKLOAD_KINDS', () => {
  it('covers Deployments, StatefulSets and DaemonSets', () => {
    expect(Object.keys(WORKLOAD_KINDS).sort()).toEqual(['DaemonSet', 'Deployment', 'StatefulSet']);
    expect(isWorkloadKind('StatefulSet')).toBe(true);
    expect(isWorkloadKind('CronJob')).toBe(false);
    expect(isWorkloadKind('toString')).toBe(false);
  });

  it('finds the pod template of a raw workload', () => {
    const template = { metadata: {}, spec: { containers: [] } };
    expect(podTemplateOf('DaemonSet', { spec: { template } })).toBe(template);
    expect(podTemplateOf('Deployment', { spec: null })).toBeUndefined();
    expect(podTemplateOf('Deployment', undefined)).toBeUndefined();
  });

  it('builds a merge patch that sets one pod-template annotation', () => {
    expect(podTemplateAnnotationPatch('StatefulSet', 'restart.akvsync.io/secret-a', 'h')).toEqual({
      spec: { template: { metadata: { annotations: { 'restart.akvsync.io/secret-a': 'h' } } } },
    });
  });
});
