/**
 * TokenReview for env-exec's projected token: authenticated for exactly the audience asked, issued to a
 * ServiceAccount (`system:serviceaccount:<ns>:<name>`) and bound to a pod (the `authentication.kubernetes.io/pod-name`
 * and `pod-uid` extras the apiserver sets from a pod-bound token's claims). Anything else is undefined.
 */
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { kubeError } from '../adapters/kube-errors.js';
import type { ReviewedToken } from './env-values.js';

export function kubeTokenReview(kubeConfig: KubeConfig): (token: string, audience: string) => Promise<ReviewedToken | undefined> {
  const api = kubeConfig.makeApiClient(AuthenticationV1Api);
  return async (token, audience) => {
    let review;
    try {
      review = await api.createTokenReview({ body: { spec: { token, audiences: [audience] } } });
    } catch (error) {
      throw kubeError(error, 'create TokenReview');
    }
    const status = review.status;
    if (!status?.authenticated || !(status.audiences ?? []).includes(audience)) return undefined;
    const user = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(status.user?.username ?? '');
    const podName = status.user?.extra?.['authentication.kubernetes.io/pod-name']?.[0];
    const podUid = status.user?.extra?.['authentication.kubernetes.io/pod-uid']?.[0];
    if (!user || !podName || !podUid) return undefined;
    return { namespace: user[1] as string, serviceAccount: user[2] as string, podName, podUid };
  };
}
