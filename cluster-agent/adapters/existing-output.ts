import type { V1ConfigMap, V1ManagedFieldsEntry, V1Secret } from '@kubernetes/client-node';
import { dataHash } from '../../core/sync/data-hash.js';
import type { ExistingOutput, OutputRef } from '../ports/cluster-api.js';

/**
 * What the reconciler may know of a Secret/ConfigMap read from the apiserver: owners, labels, annotations, who owns
 * which data key, and keyed hashes of its data. The values themselves stay in this closure.
 */
export function existingOutput(ref: OutputRef, hashKey: Uint8Array, object: V1Secret | V1ConfigMap): ExistingOutput {
  const data = ref.kind === 'Secret' ? secretData(object as V1Secret) : configMapData(object as V1ConfigMap);
  const metadata = object.metadata ?? {};
  return {
    ...ref,
    owners: (metadata.ownerReferences ?? []).map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid, controller: r.controller === true })),
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    secretType: ref.kind === 'Secret' ? ((object as V1Secret).type ?? 'Opaque') : undefined,
    dataHash: dataHash(data, hashKey),
    dataKeysByManager: dataKeysByManager(metadata.managedFields ?? []),
    resourceVersion: metadata.resourceVersion,
    dataHashAfter: (removed, added) => {
      const after = new Map<string, Uint8Array>(Object.entries(data));
      for (const key of removed) after.delete(key);
      for (const [key, value] of Object.entries(added)) after.set(key, value);
      return dataHash(Object.fromEntries(after), hashKey);
    },
  };
}

function secretData(s: V1Secret): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function configMapData(c: V1ConfigMap): Record<string, Buffer> {
  return {
    ...Object.fromEntries(Object.entries(c.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
    ...Object.fromEntries(Object.entries(c.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  };
}

/** From `managedFields`: the keys under `data` and `binaryData` each manager owns (FieldsV1: `{"f:data":{"f:<key>":{}}}`). */
function dataKeysByManager(entries: readonly V1ManagedFieldsEntry[]): Record<string, string[]> {
  // A Map, then own properties: manager names and keys come from the object (`__proto__` is just a name here).
  const byManager = new Map<string, Set<string>>();
  for (const entry of entries) {
    const fields = (entry.fieldsV1 ?? {}) as Record<string, unknown>;
    const keys = ['f:data', 'f:binaryData'].flatMap((section) => (Object.hasOwn(fields, section) ? fieldNames(fields[section]) : []));
    if (entry.manager === undefined || keys.length === 0) continue;
    const set = byManager.get(entry.manager) ?? new Set<string>();
    for (const k of keys) set.add(k);
    byManager.set(entry.manager, set);
  }
  return Object.fromEntries([...byManager].map(([manager, keys]) => [manager, [...keys]]));
}

function fieldNames(section: unknown): string[] {
  if (typeof section !== 'object' || section === null) return [];
  return Object.keys(section).filter((k) => k.startsWith('f:')).map((k) => k.slice(2));
}

