/**
 * env-exec (the single executable, in a chroot of an empty root) in agent mode: it sends this container's projected
 * ServiceAccount token to `POST /v1/env` (the documented contract, served here by a scripted stand-in so refusals
 * and 503s can be forced; agent-mode-real-agent.test.ts runs it against the real agent), retries a rolling agent's
 * 503, and ends in the original program with the values; a refusal or an incomplete answer exits 1 naming what
 * failed, and the program never starts half-configured.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_TOKEN_MOUNT_PATH } from '../../../core/injection/env-exec-layout.js';
import { mutatePod } from '../../../core/injection/mutate-pod.js';
import type { Container } from '../../../core/injection/pod-types.js';
import { createTestCa, issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { findLeaks } from '../../support/find-leaks.js';
import { INJECTED_NAMESPACE, SETTINGS, fixtureAkvs, fixturePod } from '../../unit/core/injection/injection-fixtures.js';
import { type AgentContractServer, type ScriptedAnswer, startAgentContractServer } from '../../../scripts/env-exec/agent-contract-server.js';
import { type BuiltEnvExec, builtEnvExec, containerRoot } from '../../../scripts/env-exec/container-roots.js';
import { nonBlockingStdio, procArgv, procEnviron, runInstallStep, startContainer, waitForProgram } from './kubelet-like-run.js';

const SECRET = `agent-secret-${randomUUID()}`;
const TOKEN = `projected.sa.token-${randomUUID()}`;
const ca = createTestCa(`env-exec agent CA ${randomUUID()}`);
const tls = issueLoopbackServerCert(ca);
let built: BuiltEnvExec;
let server: AgentContractServer | undefined;

beforeAll(() => {
  built = builtEnvExec();
}, 300_000);
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runWithAgent(answers: ScriptedAnswer[]) {
  server = await startAgentContractServer(tls, answers);
  const root = containerRoot('scratch');
  const pod = fixturePod('10-inject-secret.deployment.yaml');
  const settings = { ...SETTINGS, installSourceDir: built.dir, envExecSha256: { amd64: built.digest }, agentUrl: server.url, extraCaPem: ca.certPem };
  const result = mutatePod({ pod, namespace: INJECTED_NAMESPACE, akvs: [fixtureAkvs('10-inject-secret.akvs.yaml')], imageCommands: new Map([['akv2k8s-env-test', { entrypoint: [root.program], cmd: [] }]]), settings });
  if (result.outcome !== 'mutated') throw new Error(result.reason);
  runInstallStep(result.pod, root.path);
  mkdirSync(join(root.path, ENV_TOKEN_MOUNT_PATH), { recursive: true });
  writeFileSync(join(root.path, ENV_TOKEN_MOUNT_PATH, 'token'), `${TOKEN}\n`);
  const started = startContainer(root.path, result.pod.spec.containers[0] as Container, {});
  return { root, started, requests: server.requests };
}

describe('env-exec agent mode (POST /v1/env contract)', () => {
  it('retries a 503 with Retry-After, then ends in the original program with the agent\'s values', async () => {
    const { root, started, requests } = await runWithAgent([
      { status: 503, headers: { 'retry-after': '1' } },
      { status: 200, body: { variables: { TEST_SECRET: SECRET } } },
    ]);
    try {
      const exe = await waitForProgram(started, root.path, root.program);
      expect({ exe, stderr: started.stderr() }).toEqual({ exe: join(root.path, root.program), stderr: 'env-exec: AgentUnavailable; retry 1 in 1000 ms\n' });
      expect(nonBlockingStdio(started.pid)).toEqual([]);
      const environ = procEnviron(started.pid);
      const argv = procArgv(started.pid);
      started.child.stdin?.end();
      expect(await started.exit()).toBe(0);
      expect(environ).toEqual({ TEST_SECRET: SECRET });
      expect(argv).toEqual([root.program, 'TEST_SECRET']);
      expect(requests).toHaveLength(2);
      expect(requests[1]).toEqual({ authorization: `Bearer ${TOKEN}`, contentType: 'application/json', body: '{"container":"akv2k8s-env-test"}', path: '/v1/env' });
      expect(findLeaks([SECRET], { argv, stdout: [started.stdout()], stderr: [started.stderr()] })).toEqual([]);
    } finally {
      started.stop();
      root.remove();
    }
  }, 120_000);

  it.each<[string, ScriptedAnswer, string]>([
    ['a refusal (403)', { status: 403, body: { message: 'token of another pod' } }, 'env-exec: AgentRefused: the agent refused this container\'s request (403)\n'],
    ['an answer missing a variable', { status: 200, body: { variables: { OTHER: SECRET } } }, "env-exec: MissingValue: env TEST_SECRET: no value was resolved for 'secret-inject@azurekeyvault'\n"],
  ])('exits 1 on %s, naming what failed, and never starts the program', async (_what, answer, message) => {
    const { root, started } = await runWithAgent([answer]);
    try {
      expect(await started.exit()).toBe(1);
      expect(started.stderr()).toBe(message);
      expect(started.stdout()).toBe('');
    } finally {
      started.stop();
      root.remove();
    }
  }, 120_000);
});
