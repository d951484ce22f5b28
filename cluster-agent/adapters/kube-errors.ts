import { NotFoundError, TerminalError, TransientError } from '../../core/errors.js';
import type { AkvsyncError } from '../../core/errors.js';
import { parseRetryAfter } from '../error-policy.js';

/**
 * Maps a @kubernetes/client-node failure (ApiException: `code` = HTTP status, `body` = Status) to our errors.
 * 404 → NotFoundError; 409 conflict, 429, 5xx and network failures → TransientError; other 4xx → TerminalError.
 * The message names the operation and the Status reason only: ApiException's own message embeds the whole response
 * body, which is never copied.
 */
export function kubeError(error: unknown, operation: string): AkvsyncError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; body?: unknown; name?: string; headers?: Record<string, string> };
  const status = typeof e.code === 'number' ? e.code : undefined;
  const reason = statusReason(e.body);
  const cause = new Error(`${e.name ?? 'Error'} status=${status ?? 'none'}${reason ? ` reason=${reason}` : ''}`);
  const what = `${operation} (${status ?? 'no response'}${reason ? ` ${reason}` : ''})`;
  if (status === undefined) return new TransientError('KubernetesUnreachable', `Kubernetes API unreachable: ${operation}`, { cause });
  if (status === 404) return new NotFoundError('KubernetesNotFound', `not found: ${what}`, { cause });
  if (status === 409 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(e.headers?.['retry-after'], Date.now());
    return new TransientError('KubernetesUnavailable', `Kubernetes API failed: ${what}`, { cause, ...(retryAfterMs ? { retryAfterMs } : {}) });
  }
  if (status === 401 || status === 403) return new TerminalError('KubernetesForbidden', `Kubernetes API refused: ${what}`, { cause });
  return new TerminalError('KubernetesRejected', `Kubernetes API rejected: ${what}`, { cause });
}

export const isKubeNotFound = (error: unknown): boolean => hasStatus(error, 404);
/** 403: RBAC (or an admission policy) refused the call. */
export const isKubeForbidden = (error: unknown): boolean => hasStatus(error, 403);
/** 409: AlreadyExists on create, or a conflicting update. */
export const isKubeConflict = (error: unknown): boolean => hasStatus(error, 409);

/** 422 Invalid on `metadata.ownerReferences`: only one owner reference may be the controller. */
export function isOwnerReferenceInvalid(error: unknown): boolean {
  if (!hasStatus(error, 422)) return false;
  const causes = (parseBody((error as { body?: unknown }).body) as { details?: { causes?: unknown } } | undefined)?.details?.causes;
  return Array.isArray(causes) && causes.some((c: unknown) => (c as { field?: unknown } | null)?.field === 'metadata.ownerReferences');
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function hasStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === status;
}

function statusReason(body: unknown): string | undefined {
  const parsed = parseBody(body);
  const reason = (parsed as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && /^[A-Za-z]{1,64}$/.test(reason) ? reason : undefined;
}
