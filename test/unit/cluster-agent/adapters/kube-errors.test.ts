import { ApiException } from '@kubernetes/client-node';
import { isOwnerReferenceInvalid, kubeError } from '../../../../cluster-agent/adapters/kube-errors.js';

const VALUE = 's3cr3t-value-that-an-error-body-echoes';
const B64 = Buffer.from(VALUE).toString('base64');
/** A Status as the apiserver sends it when an admission webhook denies a Secret and quotes its data. */
const echoingStatus = (code: number, reason: string) => JSON.stringify({
  kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason,
  message: `admission webhook "echo.test" denied the request: data {"password":"${B64}"} raw ${VALUE}`,
});

describe('kubeError', () => {
  it.each([
    [404, 'NotFound', 'not-found', 'KubernetesNotFound'],
    [409, 'Conflict', 'transient', 'KubernetesUnavailable'],
    [422, 'Invalid', 'terminal', 'KubernetesRejected'],
    [400, 'BadRequest', 'terminal', 'KubernetesRejected'],
    [403, 'Forbidden', 'terminal', 'KubernetesForbidden'],
    [500, 'InternalError', 'transient', 'KubernetesUnavailable'],
  ])('maps %i; neither message nor cause carries the body that ApiException embeds', (code, reason, kind, mapped) => {
    const error = new ApiException(code, 'Unknown API Status Code!', echoingStatus(code, reason), {});
    expect(error.message).toContain(B64); // the client's own message does echo the body

    const result = kubeError(error, 'apply Secret ns/db');

    expect(result).toMatchObject({ kind, code: mapped });
    expect(result.message).toContain(`apply Secret ns/db (${code} ${reason})`);
    for (const text of [result.message, (result.cause as Error).message, JSON.stringify(result)]) {
      expect(text).not.toContain(VALUE);
      expect(text).not.toContain(B64);
    }
  });

  it('drops a Status reason that is not a plain word', () => {
    const result = kubeError(new ApiException(400, 'x', JSON.stringify({ reason: B64 }), {}), 'apply Secret ns/db');

    expect(result.message).toBe('Kubernetes API rejected: apply Secret ns/db (400)');
    expect(String((result.cause as Error).message)).not.toContain(B64);
  });

  it('keeps the Retry-After of a 429', () => {
    expect(kubeError(new ApiException(429, 'x', undefined, { 'retry-after': '3' }), 'list')).toMatchObject({ kind: 'transient', retryAfterMs: 3000 });
  });

  it('tells a 422 on the controller owner reference (two CRs creating one output at once) from other 422s', () => {
    const status = (field: string) => JSON.stringify({ kind: 'Status', reason: 'Invalid', details: { causes: [{ reason: 'FieldValueInvalid', field }] } });
    expect(isOwnerReferenceInvalid(new ApiException(422, 'x', status('metadata.ownerReferences'), {}))).toBe(true);
    expect(isOwnerReferenceInvalid(new ApiException(422, 'x', status('data[bad key]'), {}))).toBe(false);
    expect(isOwnerReferenceInvalid(new ApiException(409, 'x', status('metadata.ownerReferences'), {}))).toBe(false);
    expect(isOwnerReferenceInvalid(new ApiException(422, 'x', 'not json', {}))).toBe(false);
  });
});
