/**
 * The Function app's configuration, parsed once at start-up from app settings into a frozen object. Errors name
 * the bad setting (and the cluster entry) and never quote key material.
 *
 *   AKVSYNC_CLUSTERS                      JSON array of clusters (see ClusterConfig and docs/functions.md)
 *   AKVSYNC_PUSH_TIMEOUT_MS               per push, default 5000
 *   APPLICATIONINSIGHTS_CONNECTION_STRING optional; telemetry is off without it
 */
import { TerminalError } from '../core/errors.js';
import type { AppSettings } from './app-settings.js';
import { parseClusters, type ClusterConfig } from './cluster-config.js';

export interface FunctionsConfig {
  readonly clusters: readonly ClusterConfig[];
  readonly pushTimeoutMs: number;
  readonly applicationInsightsConnectionString: string | undefined;
}

export type { AppSettings, ClusterConfig };

export const DEFAULT_PUSH_TIMEOUT_MS = 5000;
/** Event Grid waits 30 s for the endpoint's answer; a push must finish well inside that. */
const MAX_PUSH_TIMEOUT_MS = 25_000;

export class ConfigurationError extends TerminalError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('InvalidConfiguration', `invalid Function configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export function parseFunctionsConfig(settings: AppSettings): FunctionsConfig {
  const problems: string[] = [];
  const clusters = parseClusters(settings, problems);
  const pushTimeoutMs = parsePushTimeout(settings.AKVSYNC_PUSH_TIMEOUT_MS, problems);
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined;
  if (connectionString !== undefined && !/(^|;)\s*InstrumentationKey\s*=/i.test(connectionString)) {
    problems.push('APPLICATIONINSIGHTS_CONNECTION_STRING: not a connection string (no InstrumentationKey=)');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return Object.freeze({ clusters: Object.freeze(clusters), pushTimeoutMs, applicationInsightsConnectionString: connectionString });
}

function parsePushTimeout(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PUSH_TIMEOUT_MS;
  const value = /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= 100 && value <= MAX_PUSH_TIMEOUT_MS)) {
    problems.push(`AKVSYNC_PUSH_TIMEOUT_MS: must be whole milliseconds between 100 and ${MAX_PUSH_TIMEOUT_MS}`);
  }
  return value;
}
