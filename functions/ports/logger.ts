/**
 * Structured log lines of the Function. In Azure they go to the invocation's context (and so to Application
 * Insights traces); tests capture them. Fields carry names, ids, codes and reasons: never key material.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
