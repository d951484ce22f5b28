/**
 * A server's `Retry-After` header (delta-seconds or an HTTP date) in ms from `nowMs`; undefined when absent or
 * unreadable. The one reading, for Key Vault answers (the agent and env-exec) and Kubernetes answers (the agent).
 */
export function parseRetryAfter(header: string | undefined | null, nowMs: number): number | undefined {
  if (header === undefined || header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}
