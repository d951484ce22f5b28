/**
 * The agent image, built daemonlessly (scripts/image: build-rootfs.sh + umoci) for amd64 and arm64, pushed as a
 * multi-arch index to a real registry on loopback (docker-registry), pulled back by digest with skopeo, unpacked
 * with umoci, and run from that root filesystem in a chroot as the image's non-root user — with the image's own
 * entrypoint, environment and user — against the local apiserver: it starts, syncs its informer (/readyz), serves
 * the notify endpoint over TLS and, on the webhook's port, env-exec of both architectures (`GET /v1/env-exec`) with
 * the digests it pins. The image's env-exec is installed the way the injected init container does it: the command
 * `mutatePod` writes, run from the unpacked image as its non-root user into a volume, checked against the pin.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ENV_EXEC_MOUNT_PATH } from '../../../core/injection/env-exec-layout.js';
import { manifestDigest } from '../../../core/injection/env-exec-manifest.js';
import { installInitContainer } from '../../../core/injection/install-init-container.js';
import { manifestOf } from '../../../env-exec/install-env-exec.js';
import { packImage, readImageConfig, type ImageConfig, type PackedImage } from '../../../scripts/image/pack-image.js';
import { applyAkvsCrd } from '../../../scripts/demo/cluster-fixtures.js';
import { freePort } from '../../../scripts/local-stack/free-port.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { runOciTool } from '../../../scripts/local-stack/oci-tools.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { getTestStack } from '../support/stack-client.js';
import { SETTINGS } from '../../unit/core/injection/injection-fixtures.js';

const run = promisify(execFile);

interface RuntimeSpec {
  process: { args: string[]; env: string[]; user: { uid: number; gid: number }; cwd: string };
}

let work: string;
let config: ImageConfig;
let packed: PackedImage;
let registry: OciRegistry;
let pushedDigest: string;
let repository: string;
let agent: ChildProcess | undefined;
const agentOutput: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'akvsync-image-test-'));
  config = await readImageConfig();
  packed = await packImage({ layout: join(work, 'layout'), tag: 'test' });
  registry = await startOciRegistry({ ca: getTestStack().ca });
  repository = `${registry.host}/akvsync/agent`;
  const digestFile = join(work, 'pushed-digest');
  await runOciTool('skopeo', ['copy', '--all', '--quiet', '--insecure-policy', '--dest-no-creds', '--dest-cert-dir', registry.certDir, '--digestfile', digestFile, `oci:${packed.layout}:test`, `docker://${repository}:test`]);
  pushedDigest = (await readFile(digestFile, 'utf8')).trim();
}, 900_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

/** skopeo inspect takes --no-creds/--cert-dir; copy takes the --src- forms. */
const inspectFlags = (): string[] => ['--no-creds', '--cert-dir', registry.certDir];
const pullFlags = (): string[] => ['--src-no-creds', '--src-cert-dir', registry.certDir];

describe('the agent image', () => {
  it('is one multi-arch index of an amd64 and an arm64 image, and the registry serves it under the same digest', async () => {
    expect(pushedDigest).toBe(packed.indexDigest);
    const raw = JSON.parse(await runOciTool('skopeo', ['inspect', '--raw', ...inspectFlags(), `docker://${repository}@${pushedDigest}`])) as {
      mediaType: string;
      manifests: { digest: string; platform: { architecture: string; os: string } }[];
    };
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(raw.manifests.map((m) => m.digest)).toEqual(packed.images.map((i) => i.manifestDigest));
    for (const architecture of ['amd64', 'arm64']) {
      const image = JSON.parse(await runOciTool('skopeo', ['inspect', '--config', '--override-arch', architecture, ...inspectFlags(), `docker://${repository}@${pushedDigest}`])) as {
        architecture: string;
        config: { User: string; Entrypoint: string[]; Env: string[] };
      };
      expect(image.architecture).toBe(architecture);
      expect(image.config).toMatchObject({ User: config.user, Entrypoint: config.entrypoint, Env: config.env });
    }
  });

  it('is small: the report of what a pull downloads and what it unpacks to; env-exec is two layers every architecture shares', async () => {
    for (const image of packed.images) {
      console.log(`agent image ${image.architecture}: ${(image.compressedBytes / 1e6).toFixed(1)} MB compressed (env-exec amd64+arm64: ${(image.envExecCompressedBytes / 1e6).toFixed(1)} MB of it), ${(image.rootfsBytes / 1e6).toFixed(1)} MB unpacked (${image.manifestDigest})`);
      expect(image.compressedBytes - image.envExecCompressedBytes).toBeLessThan(80e6);
      expect(image.envExecCompressedBytes).toBeLessThan(120e6);
    }
    const layers = await Promise.all(packed.images.map(async (image) => (JSON.parse(await readFile(join(packed.layout, 'blobs', ...image.manifestDigest.split(':')), 'utf8')) as { layers: { digest: string }[] }).layers.map((l) => l.digest)));
    expect(layers[0]?.slice(1, 3)).toEqual(layers[1]?.slice(1, 3));
    expect(layers[0]?.[0]).not.toBe(layers[1]?.[0]); // the runtime base is per architecture
  });

  it('pulled back by digest and unpacked with umoci, runs as its non-root user in a chroot against the local stack', async () => {
    const stack = getTestStack();
    const pulled = join(work, 'pulled');
    await runOciTool('skopeo', ['copy', '--quiet', '--insecure-policy', '--override-arch', 'amd64', ...pullFlags(), `docker://${repository}@${pushedDigest}`, `oci:${pulled}:agent`]);
    const bundle = join(work, 'bundle');
    await runOciTool('umoci', ['unpack', '--image', `${pulled}:agent`, bundle]);
    const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
    expect(spec.process.args).toEqual(config.entrypoint);
    expect(spec.process.user).toEqual({ uid: 65532, gid: 65532 });
    const rootfs = join(bundle, 'rootfs');
    expect(await readFile(join(rootfs, 'etc/passwd'), 'utf8')).toContain('akvsync:x:65532:65532:');

    // What a Pod would mount: a kubeconfig (here the stack's admin one), the serving certificate, the keyring.
    await applyAkvsCrd(stack.kubeConfig);
    const namespace = await stack.createNamespace('image');
    const mounted = join(rootfs, 'var/run/akvsync');
    await mkdir(mounted, { recursive: true });
    const serving = issueLoopbackServerCert(stack.ca);
    await writeFile(join(mounted, 'kubeconfig'), await readFile(stack.kubeconfigPath, 'utf8'));
    await writeFile(join(mounted, 'tls.crt'), serving.certPem);
    await writeFile(join(mounted, 'tls.key'), serving.keyPem);
    await writeFile(join(mounted, 'keys.json'), JSON.stringify({ 'image-test': randomBytes(32).toString('base64') }));
    for (const file of ['kubeconfig', 'tls.crt', 'tls.key', 'keys.json']) await chmod(join(mounted, file), 0o644);
    const [metricsPort, notifyPort, webhookPort] = [await freePort(), await freePort(), await freePort()];

    const env = [
      ...spec.process.env,
      'KUBECONFIG=/var/run/akvsync/kubeconfig',
      'AKVSYNC_TLS_CERT_FILE=/var/run/akvsync/tls.crt',
      'AKVSYNC_TLS_KEY_FILE=/var/run/akvsync/tls.key',
      'AKVSYNC_SIGNING_KEYS_FILE=/var/run/akvsync/keys.json',
      `AKVSYNC_NAMESPACE=${namespace}`,
      `AKVSYNC_WATCH_NAMESPACES=${namespace}`,
      'AKVSYNC_NOTIFY_HOST=127.0.0.1',
      `AKVSYNC_NOTIFY_PORT=${notifyPort}`,
      'AKVSYNC_METRICS_HOST=127.0.0.1',
      `AKVSYNC_METRICS_PORT=${metricsPort}`,
      'AKVSYNC_WEBHOOK_ENABLED=true',
      'AKVSYNC_WEBHOOK_HOST=127.0.0.1',
      `AKVSYNC_WEBHOOK_PORT=${webhookPort}`,
      'AKVSYNC_WEBHOOK_TLS_CERT_FILE=/var/run/akvsync/tls.crt',
      'AKVSYNC_WEBHOOK_TLS_KEY_FILE=/var/run/akvsync/tls.key',
      `AKVSYNC_ENV_EXEC_IMAGE=${repository}@${pushedDigest}`,
      `AKVSYNC_ENV_AGENT_URL=https://127.0.0.1:${webhookPort}`,
    ];
    // chroot(8) is in /usr/sbin, which a non-login PATH may lack.
    agent = spawn('/usr/sbin/chroot', ['--userspec', `${spec.process.user.uid}:${spec.process.user.gid}`, rootfs, ...spec.process.args], {
      env: Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout?.on('data', (c: Buffer) => agentOutput.push(c.toString()));
    agent.stderr?.on('data', (c: Buffer) => agentOutput.push(c.toString()));
    const exited = new Promise<number | null>((resolve) => agent?.once('exit', (code) => resolve(code)));

    const metrics = `http://127.0.0.1:${metricsPort}`;
    const deadline = Date.now() + 60_000;
    let ready = false;
    while (!ready && Date.now() < deadline && agent.exitCode === null) {
      ready = await fetch(`${metrics}/readyz`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 250));
    }
    expect({ ready, output: ready ? '' : agentOutput.join('') }).toEqual({ ready: true, output: '' });
    expect(await (await fetch(`${metrics}/healthz`)).json()).toEqual({ status: 'ok' });

    // The process is the image's node, as uid/gid 65532 (chroot execs it in place).
    const status = await readFile(`/proc/${agent.pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
    expect(status).toMatch(/^Gid:\s+65532\s+65532\s+65532\s+65532$/m);
    expect(await readFile(`/proc/${agent.pid}/root/etc/passwd`, 'utf8')).toContain('akvsync:x:65532');

    // The notify endpoint answers over TLS and refuses an unsigned notification.
    const refused = await fetch(`https://127.0.0.1:${notifyPort}/v1/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);

    // env-exec of both architectures, from the image's files, on the webhook's port (never the notify port).
    for (const arch of ['amd64', 'arm64']) {
      const served = await fetch(`https://127.0.0.1:${webhookPort}/v1/env-exec?arch=${arch}`);
      const body = Buffer.from(await served.arrayBuffer());
      const onDisk = await readFile(join(rootfs, 'opt/akvsync/env-exec', arch, 'env-exec'));
      expect({ status: served.status, sameBytes: body.equals(onDisk) }).toEqual({ status: 200, sameBytes: true });
      expect(served.headers.get('x-akvsync-sha256')).toBe(createHash('sha256').update(onDisk).digest('hex'));
      expect(served.headers.get('x-akvsync-env-exec-digest')).toBe(manifestDigest(manifestOf(join(rootfs, 'opt/akvsync/env-exec', arch))));
    }
    expect((await fetch(`https://127.0.0.1:${notifyPort}/v1/env-exec?arch=amd64`)).status).toBe(404);

    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    agent = undefined;

    // The install init container, as the mutation writes it for this image: run from the image's rootfs as its
    // non-root user into an emptyDir-like volume (the kubelet makes emptyDirs world-writable).
    const bundles = join(rootfs, 'opt/akvsync/env-exec');
    expect(await readlink(join(bundles, 'native'))).toBe('amd64');
    const pins = { amd64: manifestDigest(manifestOf(join(bundles, 'amd64'))), arm64: manifestDigest(manifestOf(join(bundles, 'arm64'))) };
    const install = installInitContainer({ ...SETTINGS, installSourceDir: '/opt/akvsync/env-exec/native', envExecSha256: pins });
    const volume = join(rootfs, ENV_EXEC_MOUNT_PATH);
    await mkdir(volume, { recursive: true });
    await chmod(volume, 0o777);
    const { runAsUser, runAsGroup } = install.securityContext as { runAsUser: number; runAsGroup: number };
    const user = `${runAsUser}:${runAsGroup}`;
    await run('/usr/sbin/chroot', ['--userspec', user, rootfs, ...install.command ?? []], { env: {} });
    expect(manifestDigest(manifestOf(volume))).toBe(pins.amd64);

    // A pin the image does not match: exit 1, one line naming both digests, nothing run.
    const wrong = installInitContainer({ ...SETTINGS, installSourceDir: '/opt/akvsync/env-exec/native', envExecSha256: { ...pins, amd64: 'f'.repeat(64) } });
    const failed = await run('/usr/sbin/chroot', ['--userspec', user, rootfs, ...wrong.command ?? []], { env: {} }).then(() => undefined, (e: { code?: number; stderr?: string }) => e);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(`env-exec: DigestMismatch: env-exec in /opt/akvsync/env-exec/native (amd64) has digest ${pins.amd64}, the pod pins ${'f'.repeat(64)}: the agent image and the webhook disagree\n`);
  });
});
