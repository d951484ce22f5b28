/**
 * Installs CustomResourceDefinitions from YAML/JSON files or directories (like envtest's CRDDirectoryPaths)
 * and waits until they are established. The control plane does this before the controller-manager starts,
 * because its garbage collector discovers resource types only every 30 s: objects owned by a custom resource
 * whose CRD appeared later are collected late.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ApiException, ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { waitUntil } from './wait-until.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => MANIFEST_EXTENSIONS.has(extname(name)))
    .sort()
    .map((name) => join(path, name));
}

/** Every CustomResourceDefinition in the given files and directories (other kinds are skipped). */
export function readCrds(paths: readonly string[]): V1CustomResourceDefinition[] {
  return paths.flatMap(manifestFiles).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as V1CustomResourceDefinition | null;
      return object?.kind === 'CustomResourceDefinition' ? [object] : [];
    }),
  );
}

/** Creates (or replaces) the CRDs and resolves once all are Established; returns their names. */
export async function installCrds(kubeConfig: KubeConfig, paths: readonly string[]): Promise<string[]> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = readCrds(paths);
  await Promise.all(
    crds.map(async (crd) => {
      try {
        await api.createCustomResourceDefinition({ body: crd });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
        const current = await api.readCustomResourceDefinition({ name: crd.metadata!.name! });
        await api.replaceCustomResourceDefinition({ name: crd.metadata!.name!, body: { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata?.resourceVersion } } });
      }
    }),
  );
  const names = crds.map((crd) => crd.metadata?.name ?? '');
  await waitUntil(
    `CRDs ${names.join(', ')} to be established`,
    async () => {
      const established = await Promise.all(
        names.map(async (name) => (await api.readCustomResourceDefinition({ name })).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')),
      );
      return established.every(Boolean) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 25 },
  );
  return names;
}
