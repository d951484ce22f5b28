/**
 * Reading an AdmissionReview v1 request body (already JSON-parsed) into the fields the webhook uses. Anything else is
 * refused with TerminalError `MalformedReview` naming the field, never echoing the body (a Pod may hold anything).
 */
import { TerminalError } from '../../core/errors.js';
import type { Pod } from '../../core/injection/pod-types.js';

export interface AdmissionRequest {
  readonly uid: string;
  readonly operation: string;
  /** `group/version/kind` of the object, e.g. `/v1/Pod` for core Pods. */
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly object: unknown;
}

const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const malformed = (what: string): TerminalError => new TerminalError('MalformedReview', `malformed AdmissionReview: ${what}`);

/** The request's uid when the body has one (so even a malformed review can be answered with its uid). */
export function reviewUid(body: unknown): string | undefined {
  const uid = isRecord(body) && isRecord(body.request) ? body.request.uid : undefined;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw malformed('the body is not a JSON object');
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== 'AdmissionReview') {
    throw malformed(`expected apiVersion ${ADMISSION_API_VERSION} and kind AdmissionReview`);
  }
  const request = body.request;
  if (!isRecord(request)) throw malformed('request is missing');
  const uid = reviewUid(body);
  if (uid === undefined) throw malformed('request.uid is missing');
  const kind = request.kind;
  if (!isRecord(kind) || typeof kind.group !== 'string' || typeof kind.version !== 'string' || typeof kind.kind !== 'string') {
    throw malformed('request.kind is not a group/version/kind');
  }
  if (typeof request.operation !== 'string') throw malformed('request.operation is missing');
  const namespace = typeof request.namespace === 'string' ? request.namespace : '';
  return { uid, operation: request.operation, kind: { group: kind.group, version: kind.version, kind: kind.kind }, namespace, dryRun: request.dryRun === true, object: request.object };
}

/** The request's object as a Pod (a core/v1 Pod CREATE); refuses an object without a spec and containers. */
export function podOf(request: AdmissionRequest): Pod {
  const pod = request.object;
  if (!isRecord(pod) || !isRecord(pod.spec) || !Array.isArray(pod.spec.containers)) throw malformed('request.object is not a Pod with spec.containers');
  for (const list of [pod.spec.containers, pod.spec.initContainers ?? []]) {
    if (!Array.isArray(list) || !list.every((c) => isRecord(c) && typeof c.name === 'string')) throw malformed('request.object has a container without a name');
  }
  return pod as unknown as Pod;
}

/** A core/v1 Pod CREATE: the only request the webhook changes anything for. */
export const isPodCreate = (r: AdmissionRequest): boolean =>
  r.operation === 'CREATE' && r.kind.group === '' && r.kind.version === 'v1' && r.kind.kind === 'Pod';
