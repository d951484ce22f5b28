/**
 * The Secrets and ConfigMaps a pod template references, found in containers and init containers (env valueFrom,
 * envFrom) and in volumes (secret, configMap, projected sources). Reads a pod spec of unknown shape defensively:
 * anything malformed simply references nothing.
 */
export interface PodTemplateReferences {
  readonly secrets: ReadonlySet<string>;
  readonly configMaps: ReadonlySet<string>;
}

type Obj = Record<string, unknown>;
const asObject = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const asArray = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(asObject).filter((o): o is Obj => o !== undefined) : []);
const nameAt = (v: unknown, field: string): string | undefined => {
  const name = asObject(v)?.[field];
  return typeof name === 'string' && name !== '' ? name : undefined;
};

export function podTemplateReferences(podSpec: unknown): PodTemplateReferences {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const add = (set: Set<string>, name: string | undefined): void => {
    if (name !== undefined) set.add(name);
  };
  const spec = asObject(podSpec) ?? {};
  for (const container of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
    for (const env of asArray(container.env)) {
      const from = asObject(env.valueFrom);
      add(secrets, nameAt(from?.secretKeyRef, 'name'));
      add(configMaps, nameAt(from?.configMapKeyRef, 'name'));
    }
    for (const envFrom of asArray(container.envFrom)) {
      add(secrets, nameAt(envFrom.secretRef, 'name'));
      add(configMaps, nameAt(envFrom.configMapRef, 'name'));
    }
  }
  for (const volume of asArray(spec.volumes)) {
    add(secrets, nameAt(volume.secret, 'secretName'));
    add(configMaps, nameAt(volume.configMap, 'name'));
    for (const source of asArray(asObject(volume.projected)?.sources)) {
      add(secrets, nameAt(source.secret, 'name'));
      add(configMaps, nameAt(source.configMap, 'name'));
    }
  }
  return { secrets, configMaps };
}
