import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { ENV_EXEC_INSTALL_CONTAINER } from '../../../../core/injection/env-exec-layout.js';
import { fileModeOptions, isSafeFileName } from '../../../../core/injection/file-mode-annotations.js';
import { FILES_CONTAINER, FILES_VOLUME } from '../../../../core/injection/file-mode-mutation.js';
import { mutatePod, type MutationInput } from '../../../../core/injection/mutate-pod.js';
import type { Container, Pod } from '../../../../core/injection/pod-types.js';
import { terminalErrorFrom } from '../sync/terminal-error.js';
import { INJECTED_NAMESPACE, SETTINGS, fixtureAkvs } from './injection-fixtures.js';

const MULTI: AzureKeyVaultSecret = {
  apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', metadata: { name: 'db-settings', namespace: 'akv-test', uid: 'm', generation: 1 },
  spec: { vault: { name: 'kv1', object: { name: 'db', type: 'multi-key-value-secret', contentType: 'application/x-json' } } },
} as AzureKeyVaultSecret;

function pod(annotations: Record<string, string>, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'akv-test', annotations },
    spec: { containers: [{ name: 'app', image: 'app:1', command: ['/app'] }, { name: 'proxy', image: 'proxy:1', command: ['/proxy'] }], ...extra },
  };
}
const input = (p: Pod, overrides: Partial<MutationInput> = {}): MutationInput => ({
  pod: p, namespace: INJECTED_NAMESPACE, akvs: [fixtureAkvs('10-inject-secret.akvs.yaml'), MULTI], imageCommands: new Map(), settings: SETTINGS, ...overrides,
});
function mutated(p: Pod): Pod {
  const result = mutatePod(input(p));
  if (result.outcome !== 'mutated') throw new Error(`unchanged: ${result.reason}`);
  return result.pod;
}
const named = (containers: Container[] | undefined, name: string): Container => {
  const found = containers?.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
};
const envOf = (c: Container): Record<string, string | undefined> => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe('file mode annotations', () => {
  it('reads files, refresh, path and containers; no annotation means no file mode', () => {
    expect(fileModeOptions(pod({}))).toBeUndefined();
    expect(fileModeOptions(pod({
      'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault',
      'akvsync.io/inject-file-db': 'db-settings@azurekeyvault?*',
      'akvsync.io/inject-files-refresh': 'true',
      'akvsync.io/inject-files-path': '/etc/secrets/',
      'akvsync.io/inject-files-containers': 'app',
    }))).toEqual({
      requests: [{ file: 'db', placeholder: { akvs: 'db-settings', query: '*' } }, { file: 'password', placeholder: { akvs: 'secret-inject', query: undefined } }],
      refresh: true, path: '/etc/secrets', containers: ['app'],
    });
  });

  it.each([
    ['a file name that leaves the volume', { 'akvsync.io/inject-file-..': 'x@azurekeyvault' }, 'one path component'],
    ['a hidden name of ours', { 'akvsync.io/inject-file-..akvsync-ready': 'x@azurekeyvault' }, 'one path component'],
    ['a value that is no placeholder', { 'akvsync.io/inject-file-a': 'plain' }, '<name>@azurekeyvault'],
    ['a relative path', { 'akvsync.io/inject-file-a': 'x@azurekeyvault', 'akvsync.io/inject-files-path': 'etc/x' }, 'absolute path'],
    ['a path with ..', { 'akvsync.io/inject-file-a': 'x@azurekeyvault', 'akvsync.io/inject-files-path': '/etc/../root' }, 'absolute path'],
    ['refresh that is not a boolean', { 'akvsync.io/inject-file-a': 'x@azurekeyvault', 'akvsync.io/inject-files-refresh': 'yes' }, "'true' or 'false'"],
    ['an unknown container', { 'akvsync.io/inject-file-a': 'x@azurekeyvault', 'akvsync.io/inject-files-containers': 'app,nope' }, "no container 'nope'"],
  ])('refuses %s with InvalidAnnotation', (_what, annotations, message) => {
    const error = terminalErrorFrom(() => fileModeOptions(pod(annotations)));
    expect(error.code).toBe('InvalidAnnotation');
    expect(error.message).toContain(message);
  });

  it('accepts only one-component names', () => {
    expect(['tls.crt', 'a-b_c', '.env'].every(isSafeFileName)).toBe(true);
    expect(['.', '..', '..x', 'a/b', '', 'a b'].some(isSafeFileName)).toBe(false);
  });
});

describe('mutatePod with file mode', () => {
  const once = mutated(pod({ 'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault', 'akvsync.io/inject-file-db': 'db-settings@azurekeyvault?*' }));
  const files = named(once.spec.initContainers, FILES_CONTAINER);

  it('writes the files once in an init container from the agent image, with the plan (names only) and its own token', () => {
    expect(files.command).toEqual(['/opt/akvsync/env-exec/ld.so', '--library-path', '/opt/akvsync/env-exec', '/opt/akvsync/env-exec/env-exec', 'files', '--dir', '/akvsync/secrets']);
    expect(files.image).toBe(SETTINGS.installImage);
    expect(files.restartPolicy).toBeUndefined();
    const env = envOf(files);
    expect(env.AKVSYNC_ENV_EXEC_CONTAINER).toBe(FILES_CONTAINER);
    expect(JSON.parse(env.AKVSYNC_ENV_EXEC_PLAN ?? '')).toEqual([
      { env: 'db', akvs: 'db-settings', query: '*', source: { vault: 'kv1', name: 'db', type: 'multi-key-value-secret', contentType: 'application/x-json' } },
      { env: 'password', akvs: 'secret-inject', source: { vault: 'akv2k8s-test', name: 'my-secret', type: 'secret' } },
    ]);
    expect(files.volumeMounts).toEqual([
      { name: FILES_VOLUME, mountPath: '/akvsync/secrets' },
      { name: 'akvsync-env-token-akvsync-files', mountPath: '/var/run/secrets/akvsync.io/env-exec', readOnly: true },
    ]);
    expect(files.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('puts the files on a size-limited memory-backed volume mounted read-only into every container, and installs no env-exec', () => {
    expect(once.spec.volumes).toEqual([
      { name: FILES_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
      { name: 'akvsync-env-token-akvsync-files', projected: { sources: [{ serviceAccountToken: { audience: 'akvsync.io/env-exec/akvsync-files', expirationSeconds: 600, path: 'token' } }] } },
    ]);
    for (const c of once.spec.containers) expect(c.volumeMounts).toEqual([{ name: FILES_VOLUME, mountPath: '/akvsync/secrets', readOnly: true }]);
    expect(once.spec.initContainers?.map((c) => c.name)).toEqual([FILES_CONTAINER]);
    expect(once.spec.containers.map((c) => c.command)).toEqual([['/app'], ['/proxy']]);
  });

  it('is idempotent on reinvocation', () => {
    expect(mutatePod(input(once))).toEqual({ outcome: 'unchanged', reason: expect.stringContaining('no file is asked for') });
  });

  it('with refresh: a native sidecar whose startupProbe waits for the files; only the named containers mount them', () => {
    const out = mutated(pod({ 'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault', 'akvsync.io/inject-files-refresh': 'true', 'akvsync.io/inject-files-containers': 'proxy' }));
    const sidecar = named(out.spec.initContainers, FILES_CONTAINER);
    expect(sidecar.restartPolicy).toBe('Always');
    expect(sidecar.command?.slice(-3)).toEqual(['--dir', '/akvsync/secrets', '--watch']);
    expect(sidecar.startupProbe).toEqual({ exec: { command: ['/opt/akvsync/env-exec/ld.so', '--library-path', '/opt/akvsync/env-exec', '/opt/akvsync/env-exec/env-exec', 'files-ready', '--dir', '/akvsync/secrets'] }, periodSeconds: 1, failureThreshold: 300 });
    expect(named(out.spec.containers, 'app').volumeMounts).toBeUndefined();
    expect(named(out.spec.containers, 'proxy').volumeMounts).toEqual([{ name: FILES_VOLUME, mountPath: '/akvsync/secrets', readOnly: true }]);
  });

  it('beside env placeholders: env-exec is installed first, then the files container, then the pod\'s own init containers (which mount the files)', () => {
    const p = pod({ 'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault' }, {
      initContainers: [{ name: 'migrate', image: 'm:1', command: ['/m'] }],
      containers: [{ name: 'app', image: 'app:1', command: ['/app'], env: [{ name: 'S', value: 'secret-inject@azurekeyvault' }] }],
    });
    const out = mutated(p);
    expect(out.spec.initContainers?.map((c) => c.name)).toEqual([ENV_EXEC_INSTALL_CONTAINER, FILES_CONTAINER, 'migrate']);
    expect(named(out.spec.initContainers, 'migrate').volumeMounts).toEqual([{ name: FILES_VOLUME, mountPath: '/akvsync/secrets', readOnly: true }]);
    expect(named(out.spec.containers, 'app').command?.[4]).toBe('run');
  });

  it('in workload-identity mode carries no agent token', () => {
    const out = mutated(pod({ 'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault', 'akvsync.io/env-auth': 'workload-identity' }));
    expect(out.spec.volumes?.map((v) => v.name)).toEqual([FILES_VOLUME]);
    expect(envOf(named(out.spec.initContainers, FILES_CONTAINER)).AKVSYNC_ENV_EXEC_AUTH).toBe('workload-identity');
  });

  it.each([
    ['a missing AzureKeyVaultSecret', 'nope@azurekeyvault', 'AkvsNotFound', "file 'password': AzureKeyVaultSecret 'nope' does not exist"],
    ['a query the type does not answer', 'secret-inject@azurekeyvault?tls.key2', 'InvalidQuery', "file 'password'"],
    ['a multi-key-value secret without a key', 'db-settings@azurekeyvault', 'InvalidQuery', "file 'password'"],
  ])('refuses %s, naming the file', (_what, value, code, message) => {
    const error = terminalErrorFrom(() => mutatePod(input(pod({ 'akvsync.io/inject-file-password': value }))));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it('leaves a namespace that has not opted in alone', () => {
    expect(mutatePod(input(pod({ 'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault' }), { namespace: { name: 'x', labels: {} } })).outcome).toBe('unchanged');
  });
});
