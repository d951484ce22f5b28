/**
 * env-exec in agent mode against the real agent (no stand-in): the agent's webhook mutates a pod created through
 * the real apiserver; run the way the kubelet would (the install step, then the container in a chroot of an empty
 * root) with a real pod-bound projected token, env-exec asks the agent's `POST /v1/env` (TokenReview, stored spec,
 * Key Vault emulator) and ends in the original program — same PID, right argv, the value in its environment and
 * nowhere else (not in the stored pod, argv, output or the agent's logs).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_TOKEN_MOUNT_PATH } from '../../../core/injection/env-exec-layout.js';
import type { Container, Pod } from '../../../core/injection/pod-types.js';
import { type BuiltEnvExec, builtEnvExec, containerRoot, type ContainerRoot } from '../../../scripts/env-exec/container-roots.js';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { findLeaks } from '../../support/find-leaks.js';
import type { AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';
import { type InjectingAgent, startInjectingAgent } from '../webhook/register-test-webhook.js';
import { procArgv, procEnviron, runInstallStep, startContainer, waitForProgram } from './kubelet-like-run.js';

const stack = getTestStack();
const SECRET = `real-agent-value-${randomUUID()}`;

describe('env-exec agent mode against the real agent', () => {
  let built: BuiltEnvExec;
  let root: ContainerRoot;
  let registry: OciRegistry;
  let h: AgentHarness;
  let team: string;
  let agent: InjectingAgent | undefined;

  beforeAll(async () => {
    built = builtEnvExec();
    root = containerRoot('scratch');
    registry = await startOciRegistry({ ca: stack.ca });
    await pushTestImage(registry, 'apps/hold:1', { entrypoint: [root.program] });
    agent = await startInjectingAgent(built, async (harness, namespace) => {
      harness.emulator.setSecret('kv1', 'my-secret', SECRET);
      await harness.createAkvs(namespace, 'secret-inject', { vault: { name: 'kv1', object: { name: 'my-secret', type: 'secret' } } } as never);
    });
    ({ h, team } = agent);
  }, 600_000);

  afterAll(async () => {
    await agent?.stop();
    await registry?.stop();
    root?.remove();
  });

  it('ends in the original program with the value from the agent, and the value is nowhere else', async () => {
    const body: V1Pod = { metadata: { name: 'app' }, spec: { containers: [{ name: 'app', image: `${registry.host}/apps/hold:1`, env: [{ name: 'TEST_SECRET', value: 'secret-inject@azurekeyvault' }] }] } };
    await waitUntil('the apiserver to call the agent', async () => {
      const probe = await h.core.createNamespacedPod({ namespace: team, body, dryRun: 'All' });
      return probe.spec?.initContainers?.length ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await h.core.createNamespacedPod({ namespace: team, body });
    const stored = await h.core.readNamespacedPod({ namespace: team, name: 'app' });
    const pod = stored as unknown as Pod;
    runInstallStep(pod, root.path);
    const token = await h.core.createNamespacedServiceAccountToken({ namespace: team, name: 'default', body: {
      spec: { audiences: ['akvsync.io/env-exec/app'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'app', uid: stored.metadata?.uid ?? '' } },
    } });
    mkdirSync(join(root.path, ENV_TOKEN_MOUNT_PATH), { recursive: true });
    writeFileSync(join(root.path, ENV_TOKEN_MOUNT_PATH, 'token'), token.status?.token ?? '');

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
