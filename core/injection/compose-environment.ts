/**
 * The environment the original program starts with: the container's own, with each placeholder replaced by its
 * value, each `?*` variable replaced by one variable per key (a variable the pod spec sets explicitly wins over a
 * key of the same name), and env-exec's own configuration variables removed.
 */
import { TerminalError } from '../errors.js';
import type { PlannedVariable } from './injection-plan.js';
import type { RenderedVariable } from './render-variable.js';

/** Every env-exec configuration variable starts with this; none reaches the program. */
export const ENV_EXEC_CONFIG_PREFIX = 'AKVSYNC_ENV_EXEC_';

export function composeEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  plan: readonly PlannedVariable[],
  rendered: ReadonlyMap<string, RenderedVariable>,
): Record<string, string> {
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !name.startsWith(ENV_EXEC_CONFIG_PREFIX)) env[name] = value;
  }
  const expanded = new Set(plan.filter((p) => p.query === '*').map((p) => p.env));
  for (const name of expanded) delete env[name];
  const explicit = new Set(Object.keys(env));
  for (const entry of plan) {
    const value = rendered.get(entry.env);
    if (value === undefined) throw new TerminalError('MissingValue', `env ${entry.env}: no value was resolved for '${entry.akvs}@azurekeyvault'`);
    if ((typeof value === 'string') === expanded.has(entry.env)) {
      throw new TerminalError('MissingValue', `env ${entry.env}: the value resolved for '${entry.akvs}@azurekeyvault' has the wrong shape`);
    }
    if (typeof value === 'string') {
      env[entry.env] = value;
      continue;
    }
    for (const [key, keyValue] of Object.entries(value)) {
      if (!explicit.has(key)) env[key] = keyValue;
    }
  }
  return { ...env };
}
