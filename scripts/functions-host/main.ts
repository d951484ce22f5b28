/**
 * `npm run functions:local [-- --port 7071] [--settings local.settings.json] [--app functions/index.ts]`
 * Runs the Function app on the local Functions host (host.ts) until interrupted.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startFunctionsHost } from './host.js';
import { readLocalSettings } from './local-settings.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '7071' }, settings: { type: 'string' }, app: { type: 'string' } },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  const settingsPath = resolve(values.settings ?? 'local.settings.json');
  if (values.settings !== undefined && !existsSync(settingsPath)) throw new Error(`--settings: ${settingsPath} does not exist`);
  const fromFile = existsSync(settingsPath) ? readLocalSettings(settingsPath) : {};
  const env = Object.fromEntries(Object.entries(fromFile).filter(([name]) => process.env[name] === undefined));

  const host = await startFunctionsHost({ port, env, ...(values.app ? { appEntry: resolve(values.app) } : {}) });
  console.log(`Functions host listening on ${host.url} (${host.functions.length} functions${existsSync(settingsPath) ? `, settings from ${settingsPath}` : ''})`);
  const stop = (): void => {
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
