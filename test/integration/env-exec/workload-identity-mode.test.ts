/**
 * env-exec as a single executable, run the way the kubelet would (install init step, then the container) in a
 * chroot of an EMPTY root (scratch-like) and of a musl root, in workload-identity mode: the pod's federated
 * ServiceAccount token → the local Entra emulator → the local Key Vault emulator over HTTPS with its own CA.
 * It must end in the original program with the same PID and argv, the real values in its environment and
 * nowhere else (not argv, not disk, not env-exec's output). The pod spec is akv2k8s example 10's, mutated by
 * core/injection's mutatePod.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { manifestDigest } from '../../../core/injection/env-exec-manifest.js';
import { ENV_EXEC_MOUNT_PATH } from '../../../core/injection/env-exec-layout.js';
import { mutatePod } from '../../../core/injection/mutate-pod.js';
import type { Container, Pod } from '../../../core/injection/pod-types.js';
import { manifestOf } from '../../../env-exec/install-env-exec.js';
import { type KeyVaultEmulator, startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { type TestCa, createTestCa } from '../../../scripts/local-stack/tls.js';
import { findLeaks } from '../../support/find-leaks.js';
import { INJECTED_NAMESPACE, SETTINGS, fixtureAkvs, fixturePod } from '../../unit/core/injection/injection-fixtures.js';
import { type BuiltEnvExec, type RootKind, builtEnvExec, containerRoot } from '../../../scripts/env-exec/container-roots.js';
import { filesUnder, nonBlockingStdio, procArgv, procEnviron, runInstallStep, startContainer, waitForProgram } from './kubelet-like-run.js';

const VAULT = 'akv2k8s-test';
const ISSUER = 'https://oidc.cluster.test/issuer';
const SUBJECT = 'system:serviceaccount:akv-test:default';
const TOKEN_PATH = '/var/run/secrets/azure/tokens/azure-identity-token';
const SECRET = `env-exec-secret-${randomUUID()}`;
const DB_PASSWORD = `db-pass-${randomUUID()}`;
const DB_USER = `db-user-${randomUUID().slice(0, 8)}`;

let built: BuiltEnvExec;
let ca: TestCa;
let emulator: KeyVaultEmulator;
let signingKey: CryptoKey;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  built = builtEnvExec();
  ca = createTestCa(`env-exec test CA ${randomUUID()}`);
  emulator = await startKeyVaultEmulator({ vaults: [VAULT], ca });
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'sa', alg: 'RS256', use: 'sig' }] };
  emulator.setSecret(VAULT, 'my-secret', SECRET);
  emulator.setSecret(VAULT, 'db-config', JSON.stringify({ 'db-password': DB_PASSWORD, DB_USER }), { contentType: 'application/x-json' });
}, 300_000);
afterAll(async () => {
  await emulator?.close();
});

async function serviceAccountToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'sa' }).setIssuer(ISSUER).setSubject(SUBJECT)
    .setAudience('api://AzureADTokenExchange').setIssuedAt(now).setExpirationTime(now + 600).sign(signingKey);
}

/** akv2k8s example 10, plus a multi-key-value secret injected whole (?*) and by a key with '-'. */
function examplePod(): { pod: Pod; akvs: ReturnType<typeof fixtureAkvs>[] } {
  const pod = fixturePod('10-inject-secret.deployment.yaml');
  pod.metadata = { ...pod.metadata, annotations: { 'akvsync.io/env-auth': 'workload-identity' } };
  const app = pod.spec.containers[0] as Container;
  app.env = [...(app.env ?? []), { name: 'DB_ALL', value: 'db-config@azurekeyvault?*' }, { name: 'DB_PASSWORD', value: 'db-config@azurekeyvault?db-password' }, { name: 'PLAIN', value: 'kept' }];
  const dbConfig = fixtureAkvs('10-inject-secret.akvs.yaml');
  dbConfig.metadata.name = 'db-config';
  dbConfig.spec = { vault: { name: VAULT, object: { name: 'db-config', type: 'multi-key-value-secret' } } };
  return { pod, akvs: [fixtureAkvs('10-inject-secret.akvs.yaml'), dbConfig] };
}

async function startExample(kind: RootKind) {
  const clientId = randomUUID();
  emulator.registerFederatedCredential({ clientId, issuer: ISSUER, subject: SUBJECT, jwks });
  const root = containerRoot(kind);
  const { pod, akvs } = examplePod();
  const settings = { ...SETTINGS, installSourceDir: built.dir, envExecSha256: { amd64: built.digest }, vaultUrls: { [VAULT]: emulator.vaultUrl(VAULT) }, extraCaPem: ca.certPem };
  const result = mutatePod({ pod, namespace: INJECTED_NAMESPACE, akvs, imageCommands: new Map([['akv2k8s-env-test', { entrypoint: [root.program], cmd: [] }]]), settings });
  if (result.outcome !== 'mutated') throw new Error(result.reason);
  runInstallStep(result.pod, root.path);
  mkdirSync(join(root.path, 'var/run/secrets/azure/tokens'), { recursive: true });
  writeFileSync(join(root.path, TOKEN_PATH), await serviceAccountToken());
  const started = startContainer(root.path, result.pod.spec.containers[0] as Container, {
    AZURE_CLIENT_ID: clientId, AZURE_TENANT_ID: emulator.tenantId, AZURE_FEDERATED_TOKEN_FILE: TOKEN_PATH, AZURE_AUTHORITY_HOST: emulator.authorityHost,
  });
  return { clientId, root, started, mutated: result.pod };
}

describe.each<RootKind>(['scratch', 'musl'])('env-exec in a %s root, workload-identity mode', (kind) => {
  it('ends in the original program: same PID, right argv, values in its environment and nowhere else', async () => {
    const { clientId, root, started, mutated } = await startExample(kind);
    try {
      const exe = await waitForProgram(started, root.path, root.program);
      expect({ exe, stderr: started.stderr() }).toEqual({ exe: join(root.path, root.program), stderr: '' });
      expect(nonBlockingStdio(started.pid)).toEqual([]);
      const environ = procEnviron(started.pid);
      const argv = procArgv(started.pid);
      started.child.stdin?.end();
      expect(await started.exit()).toBe(0);

      expect(argv).toEqual([root.program, 'TEST_SECRET']);
      expect(environ).toEqual({ TEST_SECRET: SECRET, DB_USER, 'db-password': DB_PASSWORD, DB_PASSWORD, PLAIN: 'kept',
        AZURE_CLIENT_ID: clientId, AZURE_TENANT_ID: emulator.tenantId, AZURE_FEDERATED_TOKEN_FILE: TOKEN_PATH, AZURE_AUTHORITY_HOST: emulator.authorityHost });
      expect(findLeaks([SECRET, DB_PASSWORD], {
        argv, stdout: [started.stdout()], stderr: [started.stderr()],
        'files in the container root': filesUnder(root.path, join(root.path, ENV_EXEC_MOUNT_PATH)),
        'the mutated pod spec': [JSON.stringify(mutated)],
      })).toEqual([]);
      expect(manifestDigest(manifestOf(join(root.path, ENV_EXEC_MOUNT_PATH)))).toBe(built.digest);
    } finally {
      started.stop();
      root.remove();
    }
  }, 120_000);
});

describe('env-exec workload-identity mode failures (scratch root)', () => {
  afterEach(() => {
    emulator.clearFaults();
    emulator.restrictAccess(VAULT, undefined);
  });

  it('retries Key Vault 503s with bounded backoff, then starts the program', async () => {
    emulator.injectFault({ vault: VAULT, method: 'GET', path: /^\/secrets\//, status: 503, retryAfterSeconds: 1, times: 4 });
    const { root, started } = await startExample('scratch');
    try {
      expect(await waitForProgram(started, root.path, root.program)).toBe(join(root.path, root.program));
      expect(nonBlockingStdio(started.pid)).toEqual([]);
      const environ = procEnviron(started.pid);
      expect(Object.keys(environ).sort()).toEqual(['AZURE_AUTHORITY_HOST', 'AZURE_CLIENT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_TENANT_ID', 'DB_PASSWORD', 'DB_USER', 'PLAIN', 'TEST_SECRET', 'db-password']);
      expect(environ.TEST_SECRET).toBe(SECRET);
      started.child.stdin?.end();
      expect(await started.exit()).toBe(0);
      const lines = started.stderr().split('\n').filter((l) => l !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^env-exec: KeyVaultUnavailable; retry \d in \d+ ms$/);
    } finally {
      started.stop();
      root.remove();
    }
  }, 120_000);

  it('exits 1 naming the vault object when the identity may not read it, and never starts the program', async () => {
    emulator.restrictAccess(VAULT, [randomUUID()]);
    const { root, started } = await startExample('scratch');
    try {
      expect(await started.exit()).toBe(1);
      expect(started.stderr()).toMatch(/^env-exec: KeyVaultForbidden: this pod's identity may not read akv2k8s-test\/(my-secret|db-config) \(403[^)]*\)\n$/);
      expect(findLeaks([SECRET, DB_PASSWORD], { stdout: [started.stdout()], stderr: [started.stderr()] })).toEqual([]);
    } finally {
      started.stop();
      root.remove();
    }
  }, 120_000);
});
