/**
 * `npm run kv-emulator -- [--vault <name>]... [--subscriber <url>]... [--ca-dir <dir>]`
 * Starts the Key Vault emulator (default vault: demo) and prints one JSON line: vault URLs, authority host,
 * tenant, the registered app's client id, the file holding its client secret (mode 0600, next to the CA; the
 * secret itself never goes to stdout), and the CA certificate path to trust. Ctrl-C stops it.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startKeyVaultEmulator } from './emulator.js';
import { loadOrCreateCa } from './persistent-ca.js';

interface CliConfig {
  readonly vaults: readonly string[];
  readonly subscribers: readonly string[];
  readonly caDir: string;
}

const USAGE = 'usage: npm run kv-emulator -- [--vault <name>]... [--subscriber <url>]... [--ca-dir <dir>]';

function parseConfig(argv: string[]): CliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      vault: { type: 'string', multiple: true },
      subscriber: { type: 'string', multiple: true },
      'ca-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return Object.freeze({
    vaults: Object.freeze(values.vault?.length ? values.vault : ['demo']),
    subscribers: Object.freeze(values.subscriber ?? []),
    caDir: path.resolve(values['ca-dir'] ?? path.join(os.homedir(), '.cache', 'akvsync', 'kv-emulator')),
  });
}

async function main(): Promise<void> {
  let config: CliConfig;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (error) {
    console.error(`kv-emulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  const { ca, certPath } = loadOrCreateCa(config.caDir, Date.now());
  const emulator = await startKeyVaultEmulator({ ca, vaults: [...config.vaults], eventSubscribers: [...config.subscribers] });
  const clientSecretPath = path.join(config.caDir, 'client-secret');
  writeFileSync(clientSecretPath, emulator.clientSecret, { mode: 0o600 });
  console.log(
    JSON.stringify({
      vaults: Object.fromEntries(config.vaults.map((v) => [v.toLowerCase(), emulator.vaultUrl(v)])),
      authorityHost: emulator.authorityHost,
      tenantId: emulator.tenantId,
      clientId: emulator.clientId,
      clientSecretPath,
      caCertPath: certPath,
    }),
  );
  console.error(`kv-emulator: serving ${config.vaults.join(', ')}; trust ${certPath} (NODE_EXTRA_CA_CERTS); Ctrl-C stops`);
  const stop = (signal: string) => {
    console.error(`kv-emulator: ${signal}, stopping`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('kv-emulator: failed to stop cleanly', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('kv-emulator: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
