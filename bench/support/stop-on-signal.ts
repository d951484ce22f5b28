/**
 * Ctrl-C (or a CI timeout's SIGTERM) in the middle of a benchmark: stop what it started (agent processes, the local
 * stack) before exiting with 130, so no control plane or emulator is left running.
 */
export function stopOnSignal(stop: () => Promise<unknown>): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${signal}: stopping\n`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
