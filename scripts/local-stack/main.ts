/**
 * `npm run stack [-- --vault <name>]... [--event-subscriber <url>]... [--data-dir <dir>] [--no-key-vault]`
 *
 * Starts the control plane (with this repository's CRDs installed), Azurite and the Key Vault emulator in
 * the foreground, prints ONE JSON object with the endpoints on stdout (also written to <dataDir>/stack.json),
 * logs to stderr, and stops everything on Ctrl-C / SIGTERM. The emulator's client secret is written to a
 * file, not printed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeLocalStack, PROJECT_CRD_PATHS, startLocalStack, type LocalStack } from './stack.js';

const log = (message: string): void => void process.stderr.write(`local-stack: ${message}\n`);

function parseOptions(argv: string[]): { vaults: string[]; eventSubscribers: string[]; dataDir?: string; keyVault: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      vault: { type: 'string', multiple: true },
      'event-subscriber': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'no-key-vault': { type: 'boolean' },
    },
    strict: true,
  });
  return {
    vaults: values.vault ?? ['akvsync-dev'],
    eventSubscribers: values['event-subscriber'] ?? [],
    keyVault: !values['no-key-vault'],
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const running: { stack?: LocalStack } = {};
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${signal}: stopping`);
    void (running.stack?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  // Registered before anything starts, so a Ctrl-C during start-up is handled here too (the process
  // registry kills whatever is still starting when the process exits).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));

  const began = performance.now();
  const stack = await startLocalStack({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.keyVault ? { keyVault: { vaults: options.vaults, eventSubscribers: options.eventSubscribers } } : {}),
    crdPaths: PROJECT_CRD_PATHS,
    log,
  });
  running.stack = stack;
  const description = describeLocalStack(stack);
  writeFileSync(join(stack.dataDir, 'stack.json'), JSON.stringify(description, null, 2));
  process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
  log(`ready after ${Math.round(performance.now() - began)} ms; Ctrl-C stops everything`);
  setInterval(() => undefined, 1 << 30); // the children are unref'd: keep the foreground process alive
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
