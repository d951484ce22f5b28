/**
 * The JSONPatch (RFC 6902) an AdmissionReview answer carries: the mutated pod diffed against the request's pod, as
 * controller-runtime's admission.PatchResponseFromRaw does (the mutation works on a whole object; the HTTP layer
 * only diffs). fast-json-patch's `compare` produces add/remove/replace operations with escaped pointers.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Pod } from './pod-types.js';

export type JsonPatchOperation = fastJsonPatch.Operation;

export function podPatch(original: Pod, mutated: Pod): JsonPatchOperation[] {
  return fastJsonPatch.compare(original, mutated);
}
