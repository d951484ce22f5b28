import type { ChangedSource, RestartCandidate } from '../../../../core/restart/plan-restarts.js';

export const HASH = 'a'.repeat(64);

/** The Secret `db-creds` in `apps`, just rewritten by the agent; override any field. */
export const aChange = (overrides: Partial<ChangedSource> = {}): ChangedSource => ({
  kind: 'Secret', namespace: 'apps', name: 'db-creds', dataHash: HASH, ...overrides,
});

/** A Deployment in `apps` that references nothing and opts in to nothing; override any part. */
export function aWorkload(overrides: {
  kind?: RestartCandidate['kind'];
  namespace?: string;
  annotations?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  podSpec?: unknown;
} = {}): RestartCandidate {
  return {
    kind: overrides.kind ?? 'Deployment',
    namespace: overrides.namespace ?? 'apps',
    name: 'web',
    annotations: overrides.annotations ?? {},
    podTemplate: {
      ...(overrides.podAnnotations ? { annotations: overrides.podAnnotations } : {}),
      spec: overrides.podSpec ?? { containers: [{ name: 'app', image: 'app:1' }] },
    },
  };
}

/** A pod spec whose only container reads Secret `name` through env valueFrom. */
export const usingSecret = (name: string): unknown => ({
  containers: [{ name: 'app', image: 'app:1', env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name, key: 'password' } } }] }],
});

/** A pod spec that mounts ConfigMap `name` as a volume. */
export const mountingConfigMap = (name: string): unknown => ({
  containers: [{ name: 'app', image: 'app:1' }],
  volumes: [{ name: 'cfg', configMap: { name } }],
});
