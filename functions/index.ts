/**
 * The Function app entry (package.json "main": dist/functions/index.js after `npm run build`). Importing a
 * function's file registers it. The configuration is parsed here, at start-up, so a bad app setting stops the
 * app from loading with an error that names the setting instead of failing every invocation.
 */
import { app } from '@azure/functions';
import { registerClusterRegistration } from './cluster-registration.js';
import { registerDedupeCleanup } from './dedupe-cleanup.js';
import { registerPushRetries, registerRegisteredPushRetries } from './push-retry.js';
import { functionRuntime } from './runtime.js';
import './key-vault-events.js';

const runtime = await functionRuntime();
// Functions that exist only with some configuration are registered once it is known (still at module load).
if (runtime.tableDedupe) registerDedupeCleanup(functionRuntime);
if (runtime.retryQueue) registerPushRetries(functionRuntime, runtime.config.clusters.filter((c) => c.delivery === 'push').map((c) => c.name));

if (runtime.registry) {
  registerClusterRegistration(functionRuntime);
  registerRegisteredPushRetries(functionRuntime);
}

app.hook.appTerminate(() => runtime.close());
