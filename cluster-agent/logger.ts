import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * Anything value-like is censored wherever it appears in a log object (defence in depth: the agent never passes
 * values to the logger on purpose). Paths cover one and two levels of nesting.
 */
export const REDACT_PATHS: readonly string[] = [
  'value', '*.value', '*.*.value',
  'data', '*.data', '*.*.data',
  'stringData', '*.stringData', '*.*.stringData',
  'binaryData', '*.binaryData', '*.*.binaryData',
  'secret', '*.secret', 'clientSecret', '*.clientSecret',
  'keyring', '*.keyring', 'signingKeys', '*.signingKeys', 'key', '*.key', 'keyPem', '*.keyPem', 'dataHashKey', '*.dataHashKey',
  'authorization', '*.authorization', '*.headers.authorization', '*.headers.cookie',
  'req.headers["akvsync-signature"]', '*.headers["akvsync-signature"]',
  'token', '*.token', 'accessToken', '*.accessToken',
];

/** The agent's JSON logger. `destination` lets tests capture every line. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { component: 'akvsync-agent' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
