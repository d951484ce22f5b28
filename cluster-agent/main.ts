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
  // Lost leadership: exit so Kubernetes restarts the Pod, which then competes for the Lease afresh (as controller-runtime).
  const agent = await startAgent(config, { logger, onLostLeadership: () => process.exit(1) });
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
