/**
 * The ONE place the webhook turns a decision or an error into what it sends: an AdmissionReview v1 answer (HTTP 200)
 * whenever the request's uid is known — `allowed: false` with a status code and a message for a refusal, as
 * controller-runtime's `admission.Errored`/`Denied` — and a plain HTTP error (400/413/415) for a body that is not a
 * review at all. Messages come from AkvsyncErrors (names, codes; never values); anything else is "internal error".
 */
import { isAkvsyncError } from '../../core/errors.js';
import { FORBIDDEN_REASON } from '../../core/tenancy/evaluate-access.js';
import type { AdmissionDecision } from './pod-admission.js';

export type AdmissionOutcome = 'mutated' | 'unchanged' | 'failed-open' | 'denied' | 'error' | 'bad-request';

export interface WebhookAnswer {
  readonly httpStatus: number;
  readonly body: Record<string, unknown>;
  readonly outcome: AdmissionOutcome;
}

const review = (response: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });

export function answerDecision(uid: string, decision: AdmissionDecision): WebhookAnswer {
  const warnings = decision.warnings.length > 0 ? { warnings: decision.warnings } : {};
  if (decision.outcome !== 'mutated' || decision.patch.length === 0) {
    return { httpStatus: 200, outcome: decision.outcome === 'mutated' ? 'unchanged' : decision.outcome, body: review({ uid, allowed: true, ...warnings }) };
  }
  const patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  return { httpStatus: 200, outcome: 'mutated', body: review({ uid, allowed: true, patchType: 'JSONPatch', patch, ...warnings }) };
}

/** HTTP-level failures of Fastify's body handling, by its error codes. */
const HTTP_ERRORS: Readonly<Record<string, { status: number; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'content-type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'invalid content-length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'empty body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'body is not JSON' },
};

export function answerError(uid: string | undefined, error: unknown): WebhookAnswer {
  const http = isAkvsyncError(error) ? undefined : httpError(error);
  if (http) return { httpStatus: http.status, outcome: 'bad-request', body: { message: http.message } };
  if (!isAkvsyncError(error)) {
    return uid === undefined
      ? { httpStatus: 500, outcome: 'error', body: { message: 'internal error' } }
      : { httpStatus: 200, outcome: 'error', body: review({ uid, allowed: false, status: { code: 500, reason: 'InternalError', message: 'akvsync webhook: internal error' } }) };
  }
  const status = error.code === 'MalformedReview' ? 400 : error.code === FORBIDDEN_REASON ? 403 : error.kind === 'transient' ? 503 : 422;
  const outcome: AdmissionOutcome = status === 400 ? 'bad-request' : status === 503 ? 'error' : 'denied';
  if (uid === undefined) return { httpStatus: status, outcome, body: { message: error.message } };
  return { httpStatus: 200, outcome, body: review({ uid, allowed: false, status: { code: status, reason: error.code, message: `akvsync: ${error.message}` } }) };
}

/** A body Fastify refused before the route ran (its code, else its 4xx statusCode, e.g. a JSON SyntaxError). */
function httpError(error: unknown): { status: number; message: string } | undefined {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  const known = typeof code === 'string' ? HTTP_ERRORS[code] : undefined;
  if (known) return known;
  if (error instanceof SyntaxError) return { status: 400, message: 'body is not JSON' };
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? { status: statusCode, message: 'bad request' } : undefined;
}
