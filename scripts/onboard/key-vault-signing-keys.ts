/** The signing-key secret in Key Vault through the real SDK; each version carries its key id as a tag (core/registry/signing-key-secret.ts). */
import type { SecretClient } from '@azure/keyvault-secrets';
import { KEY_ID_TAG, SIGNING_KEY_CONTENT_TYPE } from '../../core/registry/signing-key-secret.js';
import type { SigningKeyVault } from './signing-keys.js';

export function keyVaultSigningKeys(client: SecretClient): SigningKeyVault {
  return {
    async store(secretName, keyBase64, keyId) {
      const stored = await client.setSecret(secretName, keyBase64, { contentType: SIGNING_KEY_CONTENT_TYPE, tags: { [KEY_ID_TAG]: keyId } });
      return stored.properties.version ?? '';
    },
    async currentKeyId(secretName) {
      try {
        const secret = await client.getSecret(secretName);
        return secret.properties.tags?.[KEY_ID_TAG];
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
    },
  };
}
