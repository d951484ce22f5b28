/**
 * The Logger port over the invocation's context, so log lines reach the Functions host (and Application Insights
 * traces) tagged with the invocation. Fields are appended as JSON.
 */
import type { InvocationContext } from '@azure/functions';
import type { LogFields, Logger } from '../ports/logger.js';

export function invocationLogger(context: InvocationContext): Logger {
  const line = (message: string, fields: LogFields | undefined): string => (fields ? `${message} ${JSON.stringify(fields)}` : message);
  return {
    info: (message, fields) => context.info(line(message, fields)),
    warn: (message, fields) => context.warn(line(message, fields)),
    error: (message, fields) => context.error(line(message, fields)),
  };
}
