/**
 * env-exec in agent mode against the real agent (no stand-in): the agent's webhook mutates a pod created through
 * the real apiserver in a namespace that enforces Pod Security `restricted` (the built-in PodSecurity admission
 * checks the mutated pod, install init container included); run the way the kubelet would (the install step as its
 * non-root user into a world-writable volume, checking the digest the agent pinned from the env-exec bundles it
 * carries; then the container as its user in a chroot of an empty root) with a real pod-bound projected token,
 * env-exec asks the agent's `POST /v1/env` (TokenReview, stored spec, Key Vault emulator) and ends in the original
 * program — same PID, right argv, the value in its environment and nowhere else (not in the stored pod, argv,
 * output or the agent's logs).
 */
import { AdmissionregistrationV1Api, type V1Pod } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ENV_TOKEN_MOUNT_PATH } from '../../../core/injection/env-exec-layout.js';
import type { Container, Pod } from '../../../core/injection/pod-types.js';
import { type BuiltEnvExec, builtEnvExec, containerRoot, type ContainerRoot } from '../../../scripts/env-exec/container-roots.js';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { findLeaks } from '../../support/find-leaks.js';
import { startAgentHarness, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';
import { procArgv, procEnviron, runInstallStep, startContainer, waitForProgram } from './kubelet-like-run.js';

const stack = getTestStack();
const admissionApi = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
const SECRET = `real-agent-value-${randomUUID()}`;
const APP_UID = 1000;

const freePort = (): Promise<number> => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

describe('env-exec agent mode against the real agent', () => {
  let built: BuiltEnvExec;
  let root: ContainerRoot;
  let registry: OciRegistry;
  let h: AgentHarness;
  let team: string;
  let configName: string;

  beforeAll(async () => {
    built = builtEnvExec();
    root = containerRoot('scratch');
    registry = await startOciRegistry({ ca: stack.ca });
    await pushTestImage(registry, 'apps/hold:1', { entrypoint: [root.program] });
    const port = await freePort();
    h = await startAgentHarness({
      namespaces: 2,
      env: {
        AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_HOST: '127.0.0.1', AKVSYNC_WEBHOOK_PORT: String(port),
        AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/mem/tls.crt', AKVSYNC_WEBHOOK_TLS_KEY_FILE: '/mem/tls.key',
        AKVSYNC_ENV_EXEC_IMAGE: 'registry.local/akvsync/agent:test', AKVSYNC_ENV_EXEC_DIR: built.dir, AKVSYNC_ENV_EXEC_BUNDLES: dirname(built.dir),
        AKVSYNC_ENV_AGENT_URL: `https://127.0.0.1:${port}`, AKVSYNC_ENV_CA_FILE: '/mem/ca.crt',
      },
    });
    team = h.namespaces[1] as string;
    await h.core.patchNamespace({ name: team, body: [
      { op: 'add', path: '/metadata/labels/akvsync.io~1injection', value: 'enabled' },
      { op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: 'restricted' },
    ] });
    h.emulator.setSecret('kv1', 'my-secret', SECRET);
    await h.createAkvs(team, 'secret-inject', { vault: { name: 'kv1', object: { name: 'my-secret', type: 'secret' } } } as never);
    configName = `akvsync-env-exec-real-agent-${team}`;
    await admissionApi.createMutatingWebhookConfiguration({ body: {
      metadata: { name: configName },
      webhooks: [{
        name: 'env-injection.akvsync.io',
        clientConfig: { url: h.agent.webhookUrl, caBundle: Buffer.from(stack.ca.certPem).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': team } },
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', timeoutSeconds: 15,
      }],
    } });
    await waitUntil('the default ServiceAccount', () => h.core.readNamespacedServiceAccount({ namespace: team, name: 'default' }), { timeoutMs: 30_000, intervalMs: 100 });
  }, 600_000);

  afterAll(async () => {
    await admissionApi.deleteMutatingWebhookConfiguration({ name: configName }).catch(() => undefined);
    await h?.stop();
    await registry?.stop();
    root?.remove();
  });

  it('ends in the original program with the value from the agent, and the value is nowhere else', async () => {
    const body: V1Pod = { metadata: { name: 'app' }, spec: { containers: [{
      name: 'app', image: `${registry.host}/apps/hold:1`, env: [{ name: 'TEST_SECRET', value: 'secret-inject@azurekeyvault' }],
      securityContext: { runAsNonRoot: true, runAsUser: APP_UID, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    }] } };
    // The namespace enforces `restricted`: the same pod without its securityContext is refused there (the check is live).
    const loose = structuredClone(body);
    delete loose.spec?.containers[0]?.securityContext;
    const refusal = await h.core.createNamespacedPod({ namespace: team, body: loose, dryRun: 'All' }).then(() => 'admitted', (e: { body?: string }) => String(e.body));
    expect(refusal).toContain('violates PodSecurity');
    await waitUntil('the apiserver to call the agent', async () => {
      const probe = await h.core.createNamespacedPod({ namespace: team, body, dryRun: 'All' });
      return probe.spec?.initContainers?.length ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await h.core.createNamespacedPod({ namespace: team, body });
    const stored = await h.core.readNamespacedPod({ namespace: team, name: 'app' });
    const pod = stored as unknown as Pod;
    const install = pod.spec.initContainers?.[0];
    expect(install?.command?.slice(-2)).toEqual(['--sha256', `amd64=${built.digest}`]);
    runInstallStep(pod, root.path);
    const token = await h.core.createNamespacedServiceAccountToken({ namespace: team, name: 'default', body: {
      spec: { audiences: ['akvsync.io/env-exec/app'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'app', uid: stored.metadata?.uid ?? '' } },
    } });
    mkdirSync(join(root.path, ENV_TOKEN_MOUNT_PATH), { recursive: true });
    writeFileSync(join(root.path, ENV_TOKEN_MOUNT_PATH, 'token'), token.status?.token ?? '');
    chownSync(join(root.path, ENV_TOKEN_MOUNT_PATH, 'token'), APP_UID, APP_UID); // the kubelet gives it the container's user

    const started = startContainer(root.path, pod.spec.containers[0] as Container, {});
    try {
      const exe = await waitForProgram(started, root.path, root.program);
      expect({ exe, stderr: started.stderr() }).toEqual({ exe: join(root.path, root.program), stderr: '' });
      const environ = procEnviron(started.pid);
      const argv = procArgv(started.pid);
      started.child.stdin?.end();
      expect(await started.exit()).toBe(0);
      expect(environ).toEqual({ TEST_SECRET: SECRET });
      expect(argv).toEqual([root.program]);
      expect(JSON.stringify(stored)).not.toContain(SECRET);
      expect(findLeaks([SECRET], { argv, stdout: [started.stdout()], stderr: [started.stderr(), h.logLines.join('\n')] })).toEqual([]);
    } finally {
      started.stop();
    }
  }, 120_000);
});
