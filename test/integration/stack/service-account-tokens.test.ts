/**
 * ServiceAccount tokens are real: minted through the TokenRequest API, accepted by TokenReview, subject to
 * RBAC, and verifiable offline against the issuer's anonymously readable JWKS (as Entra ID federation does).
 */
import { ApiException, AuthenticationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const authentication = stack.kubeConfig.makeApiClient(AuthenticationV1Api);

async function review(token: string) {
  const result = await authentication.createTokenReview({ body: { spec: { token } } });
  return result.status;
}

describe('ServiceAccount tokens on the local control plane', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await stack.createNamespace('tokens');
    await stack.ensureServiceAccount(namespace, 'reader');
  });

  it('TokenReview authenticates a minted token as its ServiceAccount', async () => {
    const token = await stack.mintServiceAccountToken(namespace, 'reader');

    const status = await review(token);

    expect(status?.authenticated).toBe(true);
    expect(status?.user?.username).toBe(`system:serviceaccount:${namespace}:reader`);
    expect(status?.user?.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', `system:serviceaccounts:${namespace}`]));
  });

  it('TokenReview rejects a garbage token', async () => {
    const status = await review('not-a-token.at.all');

    expect(status?.authenticated).toBeFalsy();
    expect(status?.user?.username).toBeUndefined();
  });

  it('refuses to mint for a ServiceAccount that does not exist', async () => {
    await expect(stack.mintServiceAccountToken(namespace, 'nobody')).rejects.toMatchObject({ code: 404 });
  });

  it('applies RBAC to a ServiceAccount KubeConfig: forbidden until a Role grants access', async () => {
    const asReader = (await stack.kubeConfigForServiceAccount(namespace, 'reader')).makeApiClient(CoreV1Api);
    const forbidden = asReader.listNamespacedConfigMap({ namespace });
    await expect(forbidden).rejects.toBeInstanceOf(ApiException);
    await expect(forbidden).rejects.toMatchObject({ code: 403 });

    const rbac = stack.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: { metadata: { name: 'read-configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'reader-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });

    await stack.kubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name: 'visible' } } });

    // the authorizer's cache sees the new binding shortly after it is written
    const list = await waitUntil('the RoleBinding to take effect', () => asReader.listNamespacedConfigMap({ namespace }), { timeoutMs: 10_000, intervalMs: 50 });
    expect(list.items.map((c) => c.metadata?.name)).toContain('visible');
  });

  it('a token minted for a federation audience verifies against the anonymously served JWKS', async () => {
    const token = await stack.mintServiceAccountToken(namespace, 'reader', { audiences: ['api://AzureADTokenExchange'], expirationSeconds: 600 });
    const jwks = createRemoteJWKSet(new URL(stack.serviceAccountJwksUri)); // no credentials: anonymous, like a public OIDC issuer

    const { payload } = await jwtVerify(token, jwks, { issuer: stack.serviceAccountIssuer, audience: 'api://AzureADTokenExchange' });

    expect(payload.sub).toBe(`system:serviceaccount:${namespace}:reader`);
    await expect(jwtVerify(token, jwks, { issuer: stack.serviceAccountIssuer, audience: 'https://kubernetes.default.svc' })).rejects.toThrow();
  });
});
