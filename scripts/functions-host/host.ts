/**
 * A local host for the Function app: runs the app's own registration code in a worker process that provides
 * `@azure/functions-core`, and serves, on 127.0.0.1, the URLs Azure Functions Core Tools serves:
 * `POST|OPTIONS /runtime/webhooks/EventGrid?functionName=<name>` (see event-grid-webhook.ts), `/api/<route>`
 * for HTTP triggers, `GET /admin/host/status` and `POST /admin/functions/<name>` (run a non-HTTP function now);
 * it runs Storage Queue triggers (queue-trigger.ts) and timer triggers (timer-trigger.ts) from the same
 * registrations. What it does not emulate is listed in docs/functions.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleEventGridWebhook, type WebhookResponse } from './event-grid-webhook.js';
import { fromHttpResponse, httpRoutes, matchHttpRoute, toHttpTriggerData } from './http-trigger.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { HostInvoker } from './host-invoker.js';
import { queueSettingsFrom, readQueueSettings, type QueueSettings } from './host-settings.js';
import { QueueTriggerListener } from './queue-trigger.js';
import { TimerTrigger } from './timer-trigger.js';
import { triggerOf, type FunctionDescriptor, type WorkerLogEntry } from './worker-protocol.js';
import { WorkerProcess } from './worker-process.js';

export interface FunctionsHostOptions {
  /** Default 7071 (as Core Tools); 0 picks a free port. The host always binds 127.0.0.1. */
  readonly port?: number;
  /** App settings for the worker, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The app entry (package.json "main" in Azure). Default: functions/index.ts. */
  readonly appEntry?: string;
  /** Where host and app log lines go. Default: stdout/stderr. */
  readonly onLog?: (entry: HostLogEntry) => void;
  /** Largest request body accepted. Default 1 MiB (Event Grid's largest delivery). */
  readonly maxBodyBytes?: number;
  /** How long the app may take to load. Default 60 s. */
  readonly startTimeoutMs?: number;
  /** host.json of the app (queue trigger settings). Default: host.json at the repository root. */
  readonly hostJsonPath?: string;
  /** Overrides of host.json's `extensions.queues` (tests poll faster than the 1-minute default). */
  readonly queues?: Readonly<Record<string, unknown>>;
}

export interface HostLogEntry {
  readonly level: WorkerLogEntry['level'];
  readonly source: 'host' | 'app';
  readonly message: string;
  readonly functionName: string | undefined;
  readonly invocationId: string | undefined;
}

export interface FunctionsHost {
  readonly url: string;
  readonly functions: string[];
  close(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** functions/index.ts from source, or functions/index.js next to a built host. */
const defaultAppEntry = fileURLToPath(new URL(`../../functions/index${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export async function startFunctionsHost(options: FunctionsHostOptions = {}): Promise<FunctionsHost> {
  const log = options.onLog ?? printLog;
  const hostLog = (level: HostLogEntry['level'], message: string, functionName?: string, invocationId?: string): void =>
    log({ level, source: 'host', message, functionName, invocationId });
  const worker = await WorkerProcess.start({
    appEntry: options.appEntry ?? defaultAppEntry,
    env: { ...process.env, ...options.env },
    cwd: repoRoot,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    onLog: (entry) => log({ ...entry, source: 'app' }),
  });
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const routes = httpRoutes(worker.functions);

  const invoker = new HostInvoker(worker, hostLog);
  const env = { ...process.env, ...options.env };
  const queueSettings: QueueSettings = queueSettingsFrom({ ...readQueueSettings(options.hostJsonPath ?? join(repoRoot, 'host.json')), ...options.queues });
  const queueListeners = new Map<string, QueueTriggerListener>();
  const timers = new Map<string, TimerTrigger>();
  try {
    for (const fn of worker.functions) {
      const type = triggerOf(fn).type;
      if (type === 'queuetrigger') {
        queueListeners.set(fn.name, new QueueTriggerListener(fn, env, queueSettings,
          async (message, triggerMetadata) => (await invoker.invoke(fn, 'New queue message detected', message, triggerMetadata)) !== undefined,
          (message) => hostLog('warning', message, fn.name)));
      } else if (type === 'timertrigger') {
        timers.set(fn.name, new TimerTrigger(fn, env, async (timer) => (await invoker.invoke(fn, 'Timer fired', timer)) !== undefined));
      }
    }
  } catch (error) {
    await worker.stop();
    throw error;
  }

  /** `POST /admin/functions/<name>` `{ "input": "…" }`: runs a non-HTTP function now, as the host's admin API does (202). */
  function runNow(name: string, body: Buffer): WebhookResponse {
    const fn = worker.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!fn || triggerOf(fn).type === 'httptrigger') return { status: 404, body: { error: `no non-HTTP function named "${name}"` } };
    const timer = timers.get(fn.name);
    if (timer) void timer.fire();
    else {
      const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as { input?: unknown }).input : undefined;
      void invoker.invoke(fn, 'Manually triggered', { string: typeof input === 'string' ? input : '' });
    }
    return { status: 202 };
  }

  async function route(req: IncomingMessage, url: URL): Promise<WebhookResponse | { raw: ReturnType<typeof fromHttpResponse> }> {
    const path = url.pathname.toLowerCase();
    if (path === '/admin/host/status' && req.method === 'GET') {
      return { status: 200, body: { state: worker.running ? 'Running' : 'Error', functions: worker.functions.map((f) => f.name) } };
    }
    if (path.startsWith('/admin/functions/') && req.method === 'POST') {
      return runNow(decodeURIComponent(url.pathname.slice('/admin/functions/'.length)), await readBody(req, maxBodyBytes));
    }
    if (path === '/runtime/webhooks/eventgrid') {
      const name = url.searchParams.get('functionName');
      const fn = worker.functions.find((f) => f.name.toLowerCase() === name?.toLowerCase() && triggerOf(f).type === 'eventgridtrigger');
      if (!fn) return { status: 404, body: { error: `no Event Grid triggered function named "${name ?? ''}"` } };
      const body = req.method === 'POST' ? await readBody(req, maxBodyBytes) : Buffer.alloc(0);
      return handleEventGridWebhook(
        { method: req.method ?? 'GET', headers: req.headers, body },
        async (event) => (await invoker.invoke(fn, 'EventGrid trigger fired', { json: JSON.stringify(event) })) !== undefined,
      );
    }
    if (path.startsWith('/api/')) {
      const match = matchHttpRoute(routes, req.method ?? 'GET', url.pathname.slice('/api/'.length));
      if (match.kind === 'method-not-allowed') return { status: 405, headers: { allow: match.allow.join(', ') } };
      if (match.kind === 'match') {
        const fn = worker.functions.find((f) => f.name === match.route.functionName);
        const body = await readBody(req, maxBodyBytes);
        const request = toHttpTriggerData(req.method ?? 'GET', url, req.headers, body, match.params);
        const response = fn && (await invoker.invoke(fn, 'HTTP request', request));
        return response ? { raw: fromHttpResponse(response) } : { status: 500 };
      }
    }
    return { status: 404, body: { error: 'not found' } };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    route(req, url)
      .then((result) => ('raw' in result ? writeRaw(res, result.raw) : writeJson(res, result)))
      .catch((error: unknown) => {
        if (error instanceof BodyTooLargeError) return writeJson(res, { status: 413, headers: { connection: 'close' }, body: { error: error.message } });
        hostLog('error', `request ${req.method} ${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`);
        return writeJson(res, { status: 500, body: { error: 'internal error' } });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, '127.0.0.1', () => resolve());
  }).catch(async (error: unknown) => {
    await worker.stop();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const functions = worker.functions.map((f) => f.name);
  for (const fn of worker.functions) {
    const what = queueListeners.get(fn.name)?.queueName ?? timers.get(fn.name)?.schedule;
    hostLog('information', `${fn.name}: [${triggerOf(fn).type}] ${what !== undefined ? `${what}` : describeUrl(url, fn)}`, fn.name);
  }
  for (const listener of queueListeners.values()) listener.start();
  for (const timer of timers.values()) timer.start();

  return {
    url,
    functions,
    async close() {
      server.closeAllConnections();
      await Promise.all([...queueListeners.values(), ...timers.values()].map((t) => t.stop()));
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), worker.stop()]);
    },
  };
}

function describeUrl(url: string, fn: FunctionDescriptor): string {
  const trigger = triggerOf(fn);
  switch (trigger.type) {
    case 'eventgridtrigger':
      return `${url}/runtime/webhooks/EventGrid?functionName=${fn.name}`;
    case 'httptrigger':
      return `${url}/api/${typeof trigger.binding.route === 'string' ? trigger.binding.route : fn.name}`;
    default:
      return '(trigger not emulated by the local host)';
  }
}

function writeJson(res: ServerResponse, response: WebhookResponse): void {
  const body = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, { ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...response.headers });
  res.end(body);
}

function writeRaw(res: ServerResponse, result: ReturnType<typeof fromHttpResponse>): void {
  res.writeHead(result.status, result.headers);
  res.end(result.body);
}

function printLog(entry: HostLogEntry): void {
  const where = entry.functionName ? ` [${entry.functionName}]` : '';
  const line = `[${new Date().toISOString()}]${where} ${entry.message}`;
  if (entry.level === 'error' || entry.level === 'critical' || entry.level === 'warning') console.error(line);
  else console.log(line);
}
