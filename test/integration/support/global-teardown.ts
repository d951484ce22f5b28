/**
 * jest globalTeardown of the integration project: stops the stack globalSetup started (a reused one is left
 * running). Like global-setup.ts it cannot import our ESM sources, so it calls the stop function that
 * startTestStack (local-test-stack.ts) left on globalThis under this registered symbol.
 */
const STOP_TEST_STACK = Symbol.for('akvsync.integration.stop-test-stack');

export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<symbol, unknown>)[STOP_TEST_STACK] as (() => Promise<void>) | undefined;
  await stop?.();
}
