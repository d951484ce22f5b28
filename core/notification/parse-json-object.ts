/**
 * JSON.parse for untrusted text that must be an object. Failures become the caller's own error, built from `what`
 * only: JSON.parse's messages quote the input, so neither its message nor the error itself is passed on.
 */
export function parseJsonObject(text: string, what: string, fail: (message: string) => Error): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail(`${what} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}
