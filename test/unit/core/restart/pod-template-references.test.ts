import { podTemplateReferences } from '../../../../core/restart/pod-template-references.js';

describe('podTemplateReferences', () => {
  it('finds Secrets and ConfigMaps in env, envFrom, volumes and projected volumes, in containers and init containers', () => {
    const refs = podTemplateReferences({
      initContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 's-init-envfrom' } }, { configMapRef: { name: 'c-init-envfrom' } }] }],
      containers: [
        { name: 'a', env: [
          { name: 'X', value: 'plain' },
          { name: 'S', valueFrom: { secretKeyRef: { name: 's-env', key: 'k' } } },
          { name: 'C', valueFrom: { configMapKeyRef: { name: 'c-env', key: 'k' } } },
          { name: 'F', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ] },
        { name: 'b', envFrom: [{ secretRef: { name: 's-envfrom' } }] },
      ],
      volumes: [
        { name: 'v1', secret: { secretName: 's-vol' } },
        { name: 'v2', configMap: { name: 'c-vol' } },
        { name: 'v3', projected: { sources: [{ secret: { name: 's-proj' } }, { configMap: { name: 'c-proj' } }, { serviceAccountToken: { path: 't' } }] } },
        { name: 'v4', emptyDir: {} },
      ],
    });
    expect([...refs.secrets].sort()).toEqual(['s-env', 's-envfrom', 's-init-envfrom', 's-proj', 's-vol']);
    expect([...refs.configMaps].sort()).toEqual(['c-env', 'c-init-envfrom', 'c-proj', 'c-vol']);
  });

  it.each([undefined, null, 'spec', [], { containers: 'x' }, { containers: [null, 1, { env: [null, { valueFrom: 'x' }] }] },
    { volumes: [{ secret: { secretName: 42 } }, { projected: { sources: 'x' } }] }])('reads malformed spec %p as referencing nothing', (spec) => {
    const refs = podTemplateReferences(spec);
    expect(refs.secrets.size + refs.configMaps.size).toBe(0);
  });
});
