/**
 * Every controller-side akv2k8s example (../shared/fixtures/akv2k8s-examples 01–09 and it-*) applied with the real
 * kubectl to the real apiserver, with only `apiVersion` changed (and `namespace`, mapped to a fresh test namespace per
 * file), synced by the real agent from the Key Vault emulator (vault names as in the examples), each output compared
 * with akv2k8s's behaviour and its `.expected-secret.yaml`. Also: a certificate whose key is not exportable, rotations
 * of a certificate and a key through their events, and no private key material in logs, Events or status.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { CoreV1Event, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type { AkvsStatus } from '../../../core/crd/azure-key-vault-secret.js';
import { findLeaks } from '../../support/find-leaks.js';
import { type TestChain, chain } from '../../support/test-certificates.js';
import { getTestStack } from '../support/stack-client.js';
import {
  FILES, OTHER_VALUE, SECRET_VALUE, SEQUENTIAL, VAULTS, certsIn, expectedSecret, kubectlApply, manifest, pemLines, seedFixtureVaults, subjectsOf,
} from './akv2k8s-fixtures.js';
import { type AgentHarness, decode, startAgentHarness, waitFor } from './agent-harness.js';

describe('akv2k8s examples end to end (spv.no/v2beta1 → akvsync.io/v1, real kubectl, apiserver, agent)', () => {
  let h: AgentHarness;
  let filtered: AgentHarness;
  const ns: Record<string, string> = {};
  let unwatched: string;
  let ecCert: TestChain;
  let rsaCert: TestChain;
  let pfxCert: TestChain;
  let pfxBase64: string;
  const written: string[] = [];

  const secret = async (file: (typeof FILES)[number], name: string): Promise<V1Secret> =>
    waitFor(`Secret ${name} (${file})`, () => h.readSecret(ns[file] as string, name));
  const configMap = async (file: (typeof FILES)[number], name: string): Promise<V1ConfigMap> =>
    waitFor(`ConfigMap ${name} (${file})`, () => h.core.readNamespacedConfigMap({ namespace: ns[file] as string, name }).catch(() => undefined));
  const status = async (namespace: string, name: string, harness: AgentHarness = h): Promise<AkvsStatus | undefined> =>
    harness.getStatus(namespace, name).catch(() => undefined);

  beforeAll(async () => {
    h = await startAgentHarness({ vaults: VAULTS, namespaces: FILES.length });
    FILES.forEach((file, i) => {
      ns[file] = h.namespaces[i] as string;
    });
    unwatched = await getTestStack().createNamespace('unwatched');
    const kv = h.emulator;
    ({ ecCert, rsaCert, pfxCert, pfxBase64 } = await seedFixtureVaults(kv));
    kv.importCertificate('akv2k8s-test', 'locked-cert', { pem: ecCert.leaf.keyPem + ecCert.pems.join(''), exportable: false });

    for (const file of FILES) {
      if (file === 'extra' || (SEQUENTIAL as readonly string[]).includes(file)) continue;
      const isolation = file.startsWith('07');
      const applied = kubectlApply(manifest(file, ns[file] as string, isolation ? unwatched : undefined), isolation ? undefined : ns[file]);
      expect({ file, status: applied.status, output: applied.output }).toMatchObject({ file, status: 0 });
    }
  }, 120_000);
  afterAll(async () => {
    await filtered?.stop();
    await h?.stop();
    await h.core.deleteNamespace({ name: unwatched }).catch(() => undefined);
  });

  it('01 / it-akvs-secret-sync: a secret under its dataKey', async () => {
    for (const file of ['01-sync-secret.akvs.yaml', 'it-akvs-secret-sync.yaml'] as const) {
      const s = await secret(file, 'my-secret-from-akv');
      expect([s.type, decode(s, 'secret-value')]).toEqual(['Opaque', SECRET_VALUE]);
    }
  });

  it('02: a certificate (EC, PKCS#12 stored root first) as kubernetes.io/tls, matching 02-sync-certificate-tls.expected-secret.yaml', async () => {
    const expected = expectedSecret('02-sync-certificate-tls.expected-secret.yaml');
    const s = await secret('02-sync-certificate-tls.akvs.yaml', 'my-certificate-from-akv');
    expect([s.type, Object.keys(s.data ?? {}).sort()]).toEqual([expected.type, expected.keys]);
    const crt = certsIn(decode(s, 'tls.crt') ?? '');
    expect(crt.map((c) => c.subject)).toEqual(subjectsOf(ecCert));
    const key = decode(s, 'tls.key') ?? '';
    expect(key).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(crt[0]?.checkPrivateKey(createPrivateKey(key))).toBe(true);
    written.push(key);
  });

  it('it-akvs-certificate-sync: an RSA certificate stored as PEM (leaf in the middle) as kubernetes.io/tls', async () => {
    const s = await secret('it-akvs-certificate-sync.yaml', 'my-certificate-from-akv');
    expect(s.type).toBe('kubernetes.io/tls');
    expect(certsIn(decode(s, 'tls.crt') ?? '').map((c) => c.subject)).toEqual(subjectsOf(rsaCert));
    expect(decode(s, 'tls.key')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    written.push(decode(s, 'tls.key') ?? '');
  });

  it('03 / it-akvs-signing-key-sync: a key as its public key in PEM (never the raw modulus), RSA and EC', async () => {
    const rsa = decode(await secret('03-sync-signing-key.akvs.yaml', 'my-signing-key-from-akv'), 'signing-key') ?? '';
    expect(rsa).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(createPublicKey(rsa).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const ec = decode(await secret('it-akvs-signing-key-sync.yaml', 'my-signing-key-from-akv'), 'signing-key') ?? '';
    expect(createPublicKey(ec).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
  });

  it('04 / it-akvs-multi-key-value-secret: every key, matching 04-sync-multi-key-value-secret.expected-secret.yaml', async () => {
    const expected = expectedSecret('04-sync-multi-key-value-secret.expected-secret.yaml');
    for (const file of ['04-sync-multi-key-value-secret.akvs.yaml', 'it-akvs-multi-key-value-secret.yaml'] as const) {
      const s = await secret(file, 'db-config');
      expect(s.type).toBe(expected.type);
      expect(Object.fromEntries(Object.keys(s.data ?? {}).map((k) => [k, decode(s, k)]))).toEqual(expected.data);
    }
  });

  // Applied one CR at a time: two CRs creating one Secret at the same moment hit issue #7 item 5 (the second apply of
  // the controller ownerReference gets 422, mapped as terminal, and that CR stays KubernetesRejected). Reproduced here
  // with one `kubectl apply` of it-multi-akvs-secret-sync.yaml; the fix and its test belong to item 5.
  it('05 / it-multi-akvs-secret-sync (applied CR by CR): two keys of one Secret', async () => {
    for (const file of SEQUENTIAL) {
      const [first, second] = manifest(file, ns[file] as string).split(/^---$/m);
      const keys = async (): Promise<V1Secret['data']> => (await h.readSecret(ns[file] as string, 'my-secrets-from-akv'))?.data;
      expect(kubectlApply(first ?? '', ns[file]).status).toBe(0);
      await waitFor(`first key (${file})`, async () => ((await keys())?.['secret-value-1'] ? true : undefined));
      expect(kubectlApply(second ?? '', ns[file]).status).toBe(0);
      const s = await waitFor(`both keys (${file})`, async () => ((await keys())?.['secret-value-2'] ? h.readSecret(ns[file] as string, 'my-secrets-from-akv') : undefined));
      expect([decode(s, 'secret-value-1'), decode(s, 'secret-value-2')]).toEqual([SECRET_VALUE, OTHER_VALUE]);
    }
  });

  it('06 / it-akvs-configmap-sync: a secret into a ConfigMap', async () => {
    for (const file of ['06-sync-secret-to-configmap.akvs.yaml', 'it-akvs-configmap-sync.yaml'] as const) {
      expect((await configMap(file, 'my-secret-from-akv')).data).toEqual({ 'secret-value': SECRET_VALUE });
    }
  });

  it('07: only the watched namespace is served; the CR in the other one is never read or touched', async () => {
    await secret('07-namespace-isolation.akvs.yaml', 'my-secret-from-akv');
    expect(await h.readSecret(unwatched, 'my-other-secret-from-akv')).toBeUndefined();
    expect(await status(unwatched, 'undesired-secret')).toBeUndefined();
  });

  it('09: a PFX stored as a secret (App Service certificate) as kubernetes.io/tls, matching its expected-secret.yaml', async () => {
    const expected = expectedSecret('09-sync-pfx-stored-as-secret-to-tls.expected-secret.yaml');
    const s = await secret('09-sync-pfx-stored-as-secret-to-tls.akvs.yaml', 'my-pfx-cert-secret-from-akv');
    expect([s.type, Object.keys(s.data ?? {}).sort()]).toEqual([expected.type, expected.keys]);
    expect(certsIn(decode(s, 'tls.crt') ?? '').map((c) => c.subject)).toEqual(subjectsOf(pfxCert));
    written.push(decode(s, 'tls.key') ?? '');
  });

  it('it-v1-test-secret (spv.no/v1, no output): accepted, and nothing is written', async () => {
    const file = 'it-v1-test-secret.akvs.yaml';
    const st = await waitFor('status', async () => ((await status(ns[file] as string, 'test-secret'))?.conditions ? status(ns[file] as string, 'test-secret') : undefined));
    expect(st?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((await h.core.listNamespacedSecret({ namespace: ns[file] as string })).items.filter((s) => s.type !== 'kubernetes.io/service-account-token')).toEqual([]);
  });

  it('it-v1alpha1-example: refused by the apiserver with a clear message (it has no output.secret.name)', () => {
    const applied = kubectlApply(manifest('it-v1alpha1-example.akvs.yaml', ns.extra as string), ns.extra as string);
    expect(applied.status).not.toBe(0);
    expect(applied.output).toMatch(/spec\.output\.secret\.name: Required value/);
  });

  it('08: with OBJECT_LABELS (akv2k8s\'s setting, unchanged), only the labelled CR is served', async () => {
    const namespace = await getTestStack().createNamespace('labels');
    filtered = await startAgentHarness({ vaults: VAULTS, emulator: h.emulator, existingNamespaces: [namespace], env: { OBJECT_LABELS: 'someSecretLabel=someSecretValue' } });
    expect(kubectlApply(manifest('08-label-filtered-syncing.akvs.yaml', namespace), namespace).status).toBe(0);
    const s = await waitFor('desired Secret', () => filtered.readSecret(namespace, 'my-secret-from-akv'));
    expect(decode(s, 'secret-value')).toBe(SECRET_VALUE);
    for (const [cr, out] of [['undesired-secret-1', 'my-other-secret-from-akv'], ['undesired-secret-2', 'my-other-secret-with-label-from-akv']]) {
      expect(await filtered.readSecret(namespace, out as string)).toBeUndefined();
      expect(await status(namespace, cr as string, filtered)).toBeUndefined();
    }
    await h.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('a certificate whose key is not exportable: TLS gives Ready=False/KeyNotExportable and no Secret; its public certificate still goes to a ConfigMap', async () => {
    const namespace = ns.extra as string;
    await h.createAkvs(namespace, 'locked-tls', { vault: { name: 'akv2k8s-test', object: { name: 'locked-cert', type: 'certificate' } }, output: { secret: { name: 'locked-tls', type: 'kubernetes.io/tls' } } });
    await h.createAkvs(namespace, 'locked-public', { vault: { name: 'akv2k8s-test', object: { name: 'locked-cert', type: 'certificate' } }, output: { configMap: { name: 'locked-public', dataKey: 'cert.pem' } } });
    const st = await waitFor('KeyNotExportable', async () => {
      const s = await status(namespace, 'locked-tls');
      return s?.conditions?.some((c) => c.reason === 'KeyNotExportable') ? s : undefined;
    });
    expect(st.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'KeyNotExportable' });
    expect(await h.readSecret(namespace, 'locked-tls')).toBeUndefined();
    const cm = await waitFor('public certificate', () => h.core.readNamespacedConfigMap({ namespace, name: 'locked-public' }).catch(() => undefined));
    expect(certsIn(cm.data?.['cert.pem'] ?? '').map((c) => c.subject)).toEqual([ecCert.leaf.subject]);
  });

  it('a new certificate version and a new key version, notified by their events, reach their outputs', async () => {
    const next = await chain('akv2k8s-ec-next', { kty: 'EC' }, 0);
    const { version } = h.emulator.importCertificate('akv2k8s-test', 'my-certificate', { pem: next.leaf.keyPem + next.pems.join('') });
    const n = h.notification({ vault: 'akv2k8s-test', objectType: 'Certificate', eventType: 'Microsoft.KeyVault.CertificateNewVersionCreated', objectName: 'my-certificate', version });
    expect((await h.notify(n)).status).toBe(202);
    const s = await waitFor('rotated certificate', async () => {
      const got = await h.readSecret(ns['02-sync-certificate-tls.akvs.yaml'] as string, 'my-certificate-from-akv');
      return certsIn(decode(got, 'tls.crt') ?? '')[0]?.subject === next.leaf.subject ? got : undefined;
    });
    written.push(decode(s, 'tls.key') ?? '', next.leaf.keyPem);

    const before = decode(await h.readSecret(ns['03-sync-signing-key.akvs.yaml'] as string, 'my-signing-key-from-akv'), 'signing-key');
    const key = h.emulator.createKey('akv2k8s-test', 'my-key', { kty: 'EC' });
    const k = h.notification({ vault: 'akv2k8s-test', objectType: 'Key', eventType: 'Microsoft.KeyVault.KeyNewVersionCreated', objectName: 'my-key', version: key.version });
    expect((await h.notify(k)).status).toBe(202);
    await waitFor('rotated key', async () => {
      const now = decode(await h.readSecret(ns['03-sync-signing-key.akvs.yaml'] as string, 'my-signing-key-from-akv'), 'signing-key');
      return now !== before && createPublicKey(now ?? '').asymmetricKeyType === 'ec' ? true : undefined;
    });
  });

  it('no private key material (nor secret value) in agent logs, Events or CR status', async () => {
    const events: CoreV1Event[] = [];
    const statuses: string[] = [];
    for (const namespace of [...Object.values(ns), unwatched]) {
      events.push(...(await h.core.listNamespacedEvent({ namespace })).items);
      const crs = (await h.custom.listNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace })) as { items: { status?: unknown }[] };
      statuses.push(...crs.items.map((cr) => JSON.stringify(cr.status ?? {})));
    }
    const keyMaterial = [ecCert, rsaCert, pfxCert].flatMap((c) => pemLines(c.leaf.keyPem)).concat(written.flatMap(pemLines), pemLines(pfxBase64.replace(/(.{64})/g, '$1\n')));
    expect(keyMaterial.length).toBeGreaterThan(20);
    const leaks = findLeaks([...keyMaterial, SECRET_VALUE, OTHER_VALUE], {
      'agent log lines': [...h.logLines, ...(filtered?.logLines ?? [])],
      'Kubernetes Events': events.map((e) => JSON.stringify(e)),
      'CR status': statuses,
    });
    expect(leaks).toEqual([]);
    expect(events.some((e) => e.reason === 'KeyNotExportable')).toBe(true);
  });
});
