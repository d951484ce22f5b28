import type { LogFields, Logger } from '../../../../functions/ports/logger.js';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** Captures log lines; `text` is everything logged, for "this never appears" assertions. */
export class InMemoryLogger implements Logger {
  readonly lines: LogLine[] = [];

  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }

  get text(): string {
    return JSON.stringify(this.lines);
  }
}
