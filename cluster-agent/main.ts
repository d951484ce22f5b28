/** `npm run agent`: load the configuration from the environment (and --flags), start, stop cleanly on SIGTERM/SIGINT. */
import { startAgent } from './agent.js';
import { loadAgentConfig } from './config.js';
import { startupFailureLine } from './error-policy.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAgentConfig(process.env, process.argv.slice(2));
  } catch (error) {
    console.error(startupFailureLine(error));
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const agent = await startAgent(config, { logger });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).name }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(startupFailureLine(error));
  process.exit(1);
});
