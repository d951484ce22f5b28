/**
 * The Event Grid trigger for Key Vault events. Azure invokes it once per event (Event Grid schema or CloudEvents
 * 1.0); it returns normally when the event was handled (delivered, duplicate, ignored, malformed or refused for
 * good) and throws when Event Grid should deliver it again (see delivery-disposition.ts).
 */
import { app, type InvocationContext } from '@azure/functions';
import { invocationLogger } from './adapters/invocation-logger.js';
import { routeKeyVaultEvents } from './route-key-vault-events.js';
import { functionRuntime, type FunctionRuntime } from './runtime.js';

export function keyVaultEventsHandler(runtime: () => Promise<FunctionRuntime>) {
  return async function keyVaultEvents(event: unknown, context: InvocationContext): Promise<void> {
    const { routing } = await runtime();
    await routeKeyVaultEvents(event, { ...routing, log: invocationLogger(context) });
  };
}

export const keyVaultEvents = keyVaultEventsHandler(functionRuntime);

app.eventGrid('keyVaultEvents', { handler: keyVaultEvents });
