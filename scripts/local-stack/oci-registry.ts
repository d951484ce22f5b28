/**
 * A real OCI registry on loopback for tests: Debian's `docker-registry` (distribution 2.8) on a free 127.0.0.1
 * port, HTTPS with a certificate from a test CA, filesystem storage in a temp dir, and one of three auth modes:
 *
 * - `none`: anyone may pull and push;
 * - `htpasswd`: HTTP Basic for everything (bcrypt entries made with `htpasswd -B`);
 * - `token`: distribution's token auth behind registry-token-server.ts, whose origin is the registry's public
 *   URL: anonymous pulls of public repositories, Basic credentials for private ones, and (with
 *   `acceptEntraToken`) Azure Container Registry's `/oauth2/exchange` → `/oauth2/token` refresh-token flow.
 *
 * Images are built and pushed with oci-image-builder.ts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsGet } from './https-probe.js';
import { ManagedProcess } from './managed-process.js';
import { ensureOciTools, runOciTool } from './oci-tools.js';
import { removeTempDir, trackTempDir } from './process-registry.js';
import { startRegistryTokenServer, type RegistryUser, type TokenServer } from './registry-token-server.js';
import { startWithFreePorts } from './start-with-free-ports.js';
import { createTestCa, issueLoopbackServerCert, type TestCa } from './tls.js';
import { waitUntil } from './wait-until.js';

export type { RegistryUser } from './registry-token-server.js';

export type OciRegistryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'htpasswd'; readonly users: Readonly<Record<string, string>> }
  | {
      readonly kind: 'token';
      readonly users: Readonly<Record<string, RegistryUser>>;
      /** Repository prefixes (ending in `/`) or names pullable without credentials. */
      readonly publicRepositories?: readonly string[];
      /** Enables the ACR exchange: an Entra access token → the repositories it may pull (undefined = refused). */
      readonly acceptEntraToken?: (accessToken: string) => readonly string[] | undefined | Promise<readonly string[] | undefined>;
    };

export interface OciRegistryOptions {
  readonly auth?: OciRegistryAuth;
  /** Default: a new throw-away CA. */
  readonly ca?: TestCa;
  /** Default: a new temp dir, removed by stop(). */
  readonly dataDir?: string;
}

export interface OciRegistry {
  /** `127.0.0.1:<port>` — what image references start with. */
  readonly host: string;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly ca: TestCa;
  /** A directory holding only `ca.crt`, for skopeo's `--*-cert-dir`. */
  readonly certDir: string;
  /** The `service` of token challenges (token mode), e.g. for the ACR exchange form. */
  readonly service: string;
  /** Credentials that may push (the first configured user), or undefined when pushes are anonymous. */
  readonly pushCredentials: { readonly username: string; readonly password: string } | undefined;
  /** Token-mode request counts by path (`/oauth2/token`, `/oauth2/exchange`, `/v2`); empty otherwise. */
  readonly tokenRequests: ReadonlyMap<string, number>;
  readonly logFile: string;
  stop(): Promise<void>;
}

function registryConfig(dir: string, port: number, tls: { cert: string; key: string }, auth: string): string {
  return [
    'version: 0.1',
    'log: {level: warn, accesslog: {disabled: true}, formatter: text}',
    `storage: {filesystem: {rootdirectory: "${join(dir, 'storage')}"}, delete: {enabled: true}, maintenance: {uploadpurging: {enabled: false}}}`,
    `http: {addr: "127.0.0.1:${port}", relativeurls: true, secret: "${Math.random().toString(36).slice(2)}", tls: {certificate: "${tls.cert}", key: "${tls.key}"}}`,
    auth,
    '',
  ].join('\n');
}

export async function startOciRegistry(options: OciRegistryOptions = {}): Promise<OciRegistry> {
  ensureOciTools();
  const auth = options.auth ?? { kind: 'none' };
  const ownsDir = options.dataDir === undefined;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'akvsync-registry-'));
  if (ownsDir) trackTempDir(dir);
  const ca = options.ca ?? createTestCa('akvsync registry CA');
  const serving = issueLoopbackServerCert(ca);
  const files = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), ca: join(dir, 'certs', 'ca.crt'), config: join(dir, 'config.yml') };
  writeFileSync(files.cert, serving.certPem);
  writeFileSync(files.key, serving.keyPem, { mode: 0o600 });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  writeFileSync(files.ca, ca.certPem);

  const service = 'akvsync-loopback-registry';
  let tokenServer: TokenServer | undefined;
  let authYaml = '';
  let pushCredentials: OciRegistry['pushCredentials'];
  if (auth.kind === 'htpasswd') {
    const lines = await Promise.all(
      Object.entries(auth.users).map(([user, password]) => runOciTool('htpasswd', ['-nbB', user, password])),
    );
    writeFileSync(join(dir, 'htpasswd'), lines.map((l) => l.trim()).join('\n') + '\n', { mode: 0o600 });
    authYaml = `auth: {htpasswd: {realm: "akvsync", path: "${join(dir, 'htpasswd')}"}}`;
    const [first] = Object.entries(auth.users);
    pushCredentials = first ? { username: first[0], password: first[1] } : undefined;
  } else if (auth.kind === 'token') {
    tokenServer = await startRegistryTokenServer({
      ca,
      service,
      issuer: 'akvsync-loopback-token-issuer',
      users: auth.users,
      publicRepositories: auth.publicRepositories ?? [],
      ...(auth.acceptEntraToken ? { acceptEntraToken: auth.acceptEntraToken } : {}),
    });
    const bundle = join(dir, 'token-roots.pem');
    writeFileSync(bundle, tokenServer.rootCertBundlePem);
    authYaml = `auth: {token: {realm: "${tokenServer.realm}", service: "${service}", issuer: "akvsync-loopback-token-issuer", rootcertbundle: "${bundle}"}}`;
    const pusher = Object.entries(auth.users).find(([, u]) => u.push);
    pushCredentials = pusher ? { username: pusher[0], password: pusher[1].password } : undefined;
  }

  const logFile = join(dir, 'registry.log');
  const cleanup = async (proc?: ManagedProcess): Promise<void> => {
    await proc?.stop(1000);
    await tokenServer?.stop();
    if (ownsDir) removeTempDir(dir);
  };
  let proc: ManagedProcess | undefined;
  try {
    const started = await startWithFreePorts(
      1,
      ([port]) => {
        writeFileSync(files.config, registryConfig(dir, port ?? 0, files, authYaml));
        return ManagedProcess.start({ name: 'docker-registry', command: 'docker-registry', args: ['serve', files.config], logFile });
      },
      (p, [port]) =>
        waitUntil('docker-registry to answer /v2/', async () => ((await httpsGet(`https://127.0.0.1:${port}/v2/`, { ca: ca.certPem }, 1000)).status > 0 ? true : undefined), {
          timeoutMs: 20_000,
          intervalMs: 25,
          failFast: () => (p.exitStatus ? p.failure('exited during start-up') : undefined),
        }),
      (p) => (proc = p),
    );
    const backend = `https://127.0.0.1:${started.ports[0]}`;
    tokenServer?.setBackend(backend);
    const url = tokenServer?.url ?? backend;
    let stopping: Promise<void> | undefined;
    return {
      host: url.slice('https://'.length),
      url,
      ca,
      certDir: join(dir, 'certs'),
      service,
      pushCredentials,
      tokenRequests: tokenServer?.requests ?? new Map(),
      logFile,
      stop: () => (stopping ??= cleanup(started.proc)),
    };
  } catch (error) {
    await cleanup(proc);
    throw error;
  }
}
