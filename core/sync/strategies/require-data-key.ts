import { TerminalError } from '../../errors.js';
import type { OutputTarget } from '../output-strategy.js';

/** `dataKey` of a single-value output (schema rules make it present; this keeps the converters total). */
export function requireDataKey(target: OutputTarget): string {
  if (target.dataKey === undefined) {
    throw new TerminalError('InvalidSpec', `spec.output.${target.kind === 'Secret' ? 'secret' : 'configMap'}.dataKey: is required`);
  }
  return target.dataKey;
}
