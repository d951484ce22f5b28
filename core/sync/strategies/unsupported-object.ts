import { TerminalError } from '../../errors.js';
import type { ObjectTypeStrategy } from '../output-strategy.js';

/** For object types (and Secret types) whose conversion is a later issue: a clear, terminal error. */
export const unsupportedObject = (what: string): ObjectTypeStrategy => ({ spec }) => {
  throw new TerminalError('UnsupportedObjectType',
    `spec.vault.object.type: ${what} is not supported yet (Key Vault object '${spec.vault.object.name}')`);
};
