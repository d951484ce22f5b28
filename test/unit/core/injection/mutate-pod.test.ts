import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { ENV_EXEC_INSTALL_CONTAINER } from '../../../../core/injection/env-exec-layout.js';
import { type MutationInput, containersToWrap, mutatePod } from '../../../../core/injection/mutate-pod.js';
import { podPatch } from '../../../../core/injection/pod-patch.js';
import type { Container, Pod } from '../../../../core/injection/pod-types.js';
import { terminalErrorFrom } from '../sync/terminal-error.js';
import { INJECTED_NAMESPACE, SETTINGS, fixtureAkvs, fixturePod } from './injection-fixtures.js';

const LAUNCHER = ['/akvsync/env-exec/ld.so', '--library-path', '/akvsync/env-exec', '/akvsync/env-exec/env-exec', 'run', '--'];
const IMAGE = new Map([['akv2k8s-env-test', { entrypoint: ['/usr/bin/env-test'], cmd: ['--default'] }]]);

function input(pod: Pod, overrides: Partial<MutationInput> = {}): MutationInput {
  return { pod, namespace: INJECTED_NAMESPACE, akvs: [fixtureAkvs('10-inject-secret.akvs.yaml')], imageCommands: IMAGE, settings: SETTINGS, ...overrides };
}
function mutated(i: MutationInput): Pod {
  const result = mutatePod(i);
  if (result.outcome !== 'mutated') throw new Error(`unchanged: ${result.reason}`);
  return result.pod;
}
const envOf = (c: Container): Record<string, string | undefined> => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe('mutatePod on akv2k8s example 10 (secret)', () => {
  const pod = fixturePod('10-inject-secret.deployment.yaml');
  const out = mutated(input(pod));
  const app = out.spec.containers[0] as Container;

  it('runs env-exec through its own loader with the original argv (image ENTRYPOINT + the pod args)', () => {
    expect(app.command).toEqual(LAUNCHER);
    expect(app.args).toEqual(['/usr/bin/env-test', 'TEST_SECRET']);
  });

  it('keeps the placeholder and adds only names and URLs (the plan), never a value', () => {
    const env = envOf(app);
    expect(env.TEST_SECRET).toBe('secret-inject@azurekeyvault');
    expect(env.AKVSYNC_ENV_EXEC_AUTH).toBe('agent');
    expect(env.AKVSYNC_ENV_EXEC_CONTAINER).toBe('akv2k8s-env-test');
    expect(JSON.parse(env.AKVSYNC_ENV_EXEC_PLAN ?? '')).toEqual([
      { env: 'TEST_SECRET', akvs: 'secret-inject', source: { vault: 'akv2k8s-test', name: 'my-secret', type: 'secret' } },
    ]);
    expect(env.AKVSYNC_ENV_EXEC_TOKEN_FILE).toBe('/var/run/secrets/akvsync.io/env-exec/token');
  });

  it('prepends an install init container that pins the digest of each architecture and passes Pod Security restricted', () => {
    const init = out.spec.initContainers?.[0] as Container;
    expect(init.name).toBe(ENV_EXEC_INSTALL_CONTAINER);
    expect(init.command).toEqual(['/opt/akvsync/env-exec/ld.so', '--library-path', '/opt/akvsync/env-exec', '/opt/akvsync/env-exec/env-exec', 'install', '--to', '/akvsync/env-exec',
      '--sha256', `amd64=${'a'.repeat(64)}`, '--sha256', `arm64=${'b'.repeat(64)}`]);
    expect(init.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, allowPrivilegeEscalation: false, privileged: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('puts env-exec on a disk-backed emptyDir and a token whose audience names the container, mounted only there', () => {
    expect(out.spec.volumes).toEqual([
      { name: 'akvsync-env-exec', emptyDir: {} },
      { name: 'akvsync-env-token-akv2k8s-env-test', projected: { sources: [{ serviceAccountToken: { audience: 'akvsync.io/env-exec/akv2k8s-env-test', expirationSeconds: 600, path: 'token' } }] } },
    ]);
    expect(app.volumeMounts).toEqual([
      { name: 'akvsync-env-exec', mountPath: '/akvsync/env-exec', readOnly: true },
      { name: 'akvsync-env-token-akv2k8s-env-test', mountPath: '/var/run/secrets/akvsync.io/env-exec', readOnly: true },
    ]);
  });

  it('is idempotent: a reinvocation changes nothing', () => {
    expect(mutatePod(input(out))).toEqual({ outcome: 'unchanged', reason: expect.stringContaining('no container') });
  });

  it('produces a JSONPatch that turns the request pod into the mutated pod', () => {
    const patch = podPatch(pod, out);
    expect(patch.length).toBeGreaterThan(0);
    expect(fastJsonPatch.applyPatch(structuredClone(pod), patch, true, false).newDocument).toEqual(out);
    expect(pod.spec.initContainers).toBeUndefined(); // the input is never modified
  });
});

describe('mutatePod on akv2k8s examples 11-13 (certificates, keys, PEM stored as a secret)', () => {
  const pod = fixturePod('11-inject-certificate.deployment.yaml');

  it('11: ?tls.crt and ?tls.key of a certificate', () => {
    const out = mutated(input(pod, { akvs: [fixtureAkvs('11-inject-certificate.akvs.yaml')] }));
    const plan = JSON.parse(envOf(out.spec.containers[0] as Container).AKVSYNC_ENV_EXEC_PLAN ?? '') as { env: string; query: string }[];
    expect(plan.map((p) => [p.env, p.query])).toEqual([['PUBLIC_KEY', 'tls.crt'], ['PRIVATE_KEY', 'tls.key']]);
    expect((out.spec.containers[0] as Container).args).toEqual(['/usr/bin/env-test', 'PUBLIC_KEY', 'PRIVATE_KEY']);
  });

  it('12: a key object is refused at admission with a clear reason (not injectable yet)', () => {
    const error = terminalErrorFrom(() => mutatePod(input(fixturePod('12-inject-signing-key.deployment.yaml'), { akvs: [fixtureAkvs('12-inject-signing-key.akvs.yaml')] })));
    expect(error.code).toBe('UnsupportedObjectType');
    expect(error.message).toContain("container 'akv2k8s-env-test' env TEST_SIGNING_KEY");
  });

  it("13: ?tls.crt / ?tls.key on a 'secret' holding PEM (the tutorial akv2k8s's code rejects)", () => {
    const out = mutated(input(pod, { akvs: [fixtureAkvs('13-inject-pfx-certificate.akvs.yaml')] }));
    expect(JSON.parse(envOf(out.spec.containers[0] as Container).AKVSYNC_ENV_EXEC_PLAN ?? '')[0].source.type).toBe('secret');
  });
});

describe('mutatePod: who is mutated', () => {
  const pod = fixturePod('10-inject-secret.deployment.yaml');

  it('only namespaces that opted in, never the agent namespace; akv2k8s label behind the setting', () => {
    expect(mutatePod(input(pod, { namespace: { name: 'akv-test', labels: {} } })).outcome).toBe('unchanged');
    expect(mutatePod(input(pod, { namespace: { name: 'akvsync-system', labels: { 'akvsync.io/injection': 'enabled' } } })).outcome).toBe('unchanged');
    const legacy = { name: 'akv-test', labels: { 'azure-key-vault-env-injection': 'enabled' } };
    expect(mutatePod(input(pod, { namespace: legacy })).outcome).toBe('mutated');
    expect(mutatePod(input(pod, { namespace: legacy, settings: { ...SETTINGS, acceptAkv2k8sLabel: false } })).outcome).toBe('unchanged');
  });

  it('leaves a container wrapped by akv2k8s alone, and literal values that only mention the marker', () => {
    const akv2k8s = structuredClone(pod);
    (akv2k8s.spec.containers[0] as Container).command = ['/azure-keyvault/azure-keyvault-env'];
    expect(mutatePod(input(akv2k8s)).outcome).toBe('unchanged');
    const literal = structuredClone(pod);
    (literal.spec.containers[0] as Container).env = [{ name: 'ARGO', value: '{"x":"secret-inject@azurekeyvault"}' }];
    expect(mutatePod(input(literal)).outcome).toBe('unchanged');
  });

  it('injects init containers too, each with its own token, and keeps command semantics', () => {
    const withInit = structuredClone(pod);
    withInit.spec.initContainers = [{ name: 'migrate', image: 'm', command: ['/migrate'], args: ['--up'], env: [{ name: 'DB', value: 'secret-inject@azurekeyvault' }] }];
    const out = mutated(input(withInit));
    expect(out.spec.initContainers?.map((c) => c.name)).toEqual([ENV_EXEC_INSTALL_CONTAINER, 'migrate']);
    expect(out.spec.initContainers?.[1]?.args).toEqual(['/migrate', '--up']);
    expect(out.spec.volumes?.map((v) => v.name)).toContain('akvsync-env-token-migrate');
  });

  it('workload-identity mode (pod annotation) mounts no agent token and passes vault URL settings', () => {
    const wi = structuredClone(pod);
    wi.metadata = { ...wi.metadata, annotations: { 'akvsync.io/env-auth': 'workload-identity' } };
    const out = mutated(input(wi, { settings: { ...SETTINGS, vaultUrlTemplate: 'https://{vault}.vault.azure.cn' } }));
    const env = envOf(out.spec.containers[0] as Container);
    expect(env.AKVSYNC_ENV_EXEC_AUTH).toBe('workload-identity');
    expect(env.AKVSYNC_ENV_EXEC_VAULT_URL_TEMPLATE).toBe('https://{vault}.vault.azure.cn');
    expect(env.AKVSYNC_ENV_EXEC_TOKEN_FILE).toBeUndefined();
    expect(out.spec.volumes?.map((v) => v.name)).toEqual(['akvsync-env-exec']);
    wi.metadata.annotations = { 'akvsync.io/env-auth': 'both' };
    expect(terminalErrorFrom(() => mutatePod(input(wi))).code).toBe('InvalidAnnotation');
  });

  it('refuses what the pod cannot have: unknown AKVS, a bad query, an unresolved image command', () => {
    expect(terminalErrorFrom(() => mutatePod(input(pod, { akvs: [] }))).code).toBe('AkvsNotFound');
    const badQuery = structuredClone(pod);
    (badQuery.spec.containers[0] as Container).env = [{ name: 'X', value: 'secret-inject@azurekeyvault?tls.raw' }];
    expect(terminalErrorFrom(() => mutatePod(input(badQuery))).code).toBe('InvalidQuery');
    const raw = terminalErrorFrom(() => mutatePod(input(fixturePod('11-inject-certificate.deployment.yaml'), {
      akvs: [fixtureAkvs('11-inject-certificate.akvs.yaml')],
      pod: { ...pod, spec: { containers: [{ name: 'c', command: ['/x'], env: [{ name: 'R', value: 'certificate-inject@azurekeyvault?raw' }] }] } },
    })));
    expect(raw.message).toContain('NUL');
    const error = terminalErrorFrom(() => mutatePod(input(pod, { imageCommands: new Map() })));
    expect(error.code).toBe('CommandUnresolved');
    expect(error.message).toContain('spvest/akv2k8s-env-test:2.0.1');
  });

  it('lists only the containers that need wrapping (what the webhook resolves image commands for)', () => {
    expect(containersToWrap(pod).map((c) => c.name)).toEqual(['akv2k8s-env-test']);
  });
});

describe('mutatePod properties', () => {
  const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { minLength: 1, maxLength: 4 });
  const arbitraryPod = fc.tuple(names, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.array(fc.string(), { maxLength: 3 }))
    .map(([containerNames, withPlaceholder, args]): Pod => ({
      metadata: { namespace: 'akv-test' },
      spec: {
        containers: containerNames.map((name, i) => ({
          name, image: 'img', command: ['/bin/app'], args,
          env: [{ name: 'PLAIN', value: 'x' }, ...(withPlaceholder[i] ? [{ name: 'S', value: 'secret-inject@azurekeyvault' }] : [])],
        })),
      },
    }));

  it('mutating twice equals mutating once; the patch reproduces the result; no container loses its argv', () => {
    fc.assert(fc.property(arbitraryPod, (pod) => {
      const once = mutatePod(input(pod));
      if (once.outcome === 'unchanged') return;
      expect(mutatePod(input(once.pod)).outcome).toBe('unchanged');
      expect(fastJsonPatch.applyPatch(structuredClone(pod), podPatch(pod, once.pod), true, false).newDocument).toEqual(once.pod);
      for (const [i, c] of once.pod.spec.containers.entries()) {
        const before = pod.spec.containers[i] as Container;
        expect(c.command?.[0] === '/akvsync/env-exec/ld.so' ? c.args : c.command).toEqual(c.command?.[0] === '/akvsync/env-exec/ld.so' ? [...(before.command ?? []), ...(before.args ?? [])] : before.command);
      }
    }));
  });
});
