/**
 * Reads `local.settings.json` as Core Tools does: `Values` become app settings (environment variables) for the
 * app. Encrypted files are not supported. Variables already set in the environment win over the file.
 */
import { readFileSync } from 'node:fs';

export function readLocalSettings(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'not valid JSON' : (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`${path}: ${reason}`, { cause: error instanceof SyntaxError ? undefined : error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path}: must be a JSON object`);
  const { IsEncrypted, Values } = parsed as { IsEncrypted?: unknown; Values?: unknown };
  if (IsEncrypted === true) throw new Error(`${path}: encrypted settings are not supported by the local host (func settings decrypt)`);
  if (Values === undefined) return {};
  if (typeof Values !== 'object' || Values === null || Array.isArray(Values)) throw new Error(`${path}: "Values" must be an object`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(Values)) {
    if (typeof value !== 'string') throw new Error(`${path}: Values.${name} must be a string`);
    values[name] = value;
  }
  return values;
}
