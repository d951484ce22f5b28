/**
 * env-exec start → original program running, p50, beside a plain `node -e` start of the same Node binary (the
 * floor: a single executable cannot start faster than its runtime), and env-exec's shipped size.
 * Each sample spawns a process and stops the clock when the original program (a static musl binary that writes
 * one byte) has written to stdout, i.e. after env-exec resolved the values and execve'd it. Variants:
 *  - exec only: no placeholder (start-up + execve cost);
 *  - agent mode: one variable from `POST /v1/env` (a stand-in serving the documented contract over HTTPS);
 *  - workload-identity mode: one variable via the pod's federated token → local Entra emulator → Key Vault emulator.
 * env-exec is started through its own loader exactly as the mutated pod's command does.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { envExecLauncher } from '../core/injection/env-exec-layout.js';
import { startAgentContractServer } from '../scripts/env-exec/agent-contract-server.js';
import { READY_C, builtEnvExec, compileMusl } from '../scripts/env-exec/container-roots.js';
import { startKeyVaultEmulator } from '../scripts/kv-emulator/emulator.js';
import { createTestCa, issueLoopbackServerCert } from '../scripts/local-stack/tls.js';
import { atMost, beginBench, finishBench } from './support/bench-result.js';
import { summarizeLatencies } from './support/percentiles.js';

const SAMPLES = Number(process.env.BENCH_ENV_EXEC_SAMPLES ?? '300');
const WARMUP = 10;
const VAULT = 'bench-env';

/** Milliseconds from spawn to the first byte on stdout; the process must then exit 0. */
function timeStart(file: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByte: number | undefined;
    let stderr = '';
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => { firstByte = performance.now() - started; });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0 || firstByte === undefined) reject(new Error(`${file} exited ${code}: ${stderr.slice(0, 300)}`));
      else resolve(firstByte);
    });
  });
}

async function sample(what: string, run: () => Promise<number>): Promise<ReturnType<typeof summarizeLatencies>> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await run());
  process.stderr.write(`bench: ${what} done\n`);
  return summarizeLatencies(samples);
}

async function main(): Promise<void> {
  const run = beginBench('env-exec-start', 'env-exec start → original program running; env-exec size');
  const built = builtEnvExec();
  const work = mkdtempSync(join(tmpdir(), 'bench-env-exec-'));
  const ca = createTestCa(`bench env-exec CA ${randomUUID()}`);
  const emulator = await startKeyVaultEmulator({ vaults: [VAULT], ca });
  const agent = await startAgentContractServer(issueLoopbackServerCert(ca), [{ status: 200, body: { variables: { SECRET: 'agent-value' } } }]);
  try {
    const ready = join(work, 'ready');
    compileMusl(READY_C, ready, 'static');
    const [loader, ...launcherArgs] = envExecLauncher(built.dir, 'run');
    const envExec = (env: Record<string, string>) => () => timeStart(loader as string, [...launcherArgs, '--', ready], env);
    const plan = JSON.stringify([{ env: 'SECRET', akvs: 'a', source: { vault: VAULT, name: 'secret', type: 'secret' } }]);
    const common = { AKVSYNC_ENV_EXEC_CONTAINER: 'app', AKVSYNC_ENV_EXEC_EXTRA_CA: ca.certPem, SECRET: 'a@azurekeyvault' };
    writeFileSync(join(work, 'sa-token'), 'projected-token');

    emulator.setSecret(VAULT, 'secret', 'kv-value');
    const clientId = randomUUID();
    const pair = await generateKeyPair('RS256', { extractable: true });
    emulator.registerFederatedCredential({ clientId, issuer: 'https://oidc.bench', subject: 'system:serviceaccount:bench:app', jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k', alg: 'RS256' }] } });
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(join(work, 'azure-token'), await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setIssuer('https://oidc.bench')
      .setSubject('system:serviceaccount:bench:app').setAudience('api://AzureADTokenExchange').setIssuedAt(now).setExpirationTime(now + 7200).sign(pair.privateKey));

    const floor = await sample('node -e floor', () => timeStart(process.execPath, ['-e', "process.stdout.write('x')"], {}));
    const execOnly = await sample('exec only', envExec({ AKVSYNC_ENV_EXEC_CONTAINER: 'app', AKVSYNC_ENV_EXEC_PLAN: '[]', AKVSYNC_ENV_EXEC_AUTH: 'agent', AKVSYNC_ENV_EXEC_AGENT_URL: agent.url, AKVSYNC_ENV_EXEC_TOKEN_FILE: join(work, 'sa-token') }));
    const agentMode = await sample('agent mode', envExec({ ...common, AKVSYNC_ENV_EXEC_PLAN: plan, AKVSYNC_ENV_EXEC_AUTH: 'agent', AKVSYNC_ENV_EXEC_AGENT_URL: agent.url, AKVSYNC_ENV_EXEC_TOKEN_FILE: join(work, 'sa-token') }));
    const wiMode = await sample('workload-identity mode', envExec({
      ...common, AKVSYNC_ENV_EXEC_PLAN: plan, AKVSYNC_ENV_EXEC_AUTH: 'workload-identity', AKVSYNC_ENV_EXEC_VAULT_URLS: JSON.stringify({ [VAULT]: emulator.vaultUrl(VAULT) }),
      AZURE_CLIENT_ID: clientId, AZURE_TENANT_ID: emulator.tenantId, AZURE_FEDERATED_TOKEN_FILE: join(work, 'azure-token'), AZURE_AUTHORITY_HOST: emulator.authorityHost,
    }));

    const files = readdirSync(built.dir).map((name) => ({ name, bytes: statSync(join(built.dir, name)).size }));
    const executableBytes = files.find((f) => f.name === 'env-exec')?.bytes ?? 0;
    const totalBytes = files.reduce((a, f) => a + f.bytes, 0);
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    finishBench(run, {
      method: `${SAMPLES} sequential process starts per variant after ${WARMUP} warm-up starts; clock from spawn() to the original program's first stdout byte (env-exec has execve'd it). Floor: the same Node binary running \`node -e\`. Key Vault/Entra emulator and the agent stand-in run in this process on loopback.`,
      targets: [atMost('p50 env-exec start (agent mode) → original program running', agentMode.p50Ms, 200, 'ms')],
      metrics: {
        floorNodeE: floor, execOnly, agentMode, workloadIdentityMode: wiMode,
        ratioToFloorP50: { execOnly: Math.round((execOnly.p50Ms / floor.p50Ms) * 100) / 100, agentMode: Math.round((agentMode.p50Ms / floor.p50Ms) * 100) / 100, workloadIdentityMode: Math.round((wiMode.p50Ms / floor.p50Ms) * 100) / 100 },
        size: { executableMiB: mib(executableBytes), directoryMiB: mib(totalBytes), files },
      },
      notes: [
        `N=${SAMPLES} per variant, not 10,000: every sample is a whole process start (~0.1 s), so 10,000 per variant would take over an hour on 2 shared cores; set BENCH_ENV_EXEC_SAMPLES to change it.`,
        'Workload-identity mode includes the token exchange with the local Entra emulator on every start (no token cache survives a process), as in a pod.',
      ],
    });
  } finally {
    await agent.close();
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
