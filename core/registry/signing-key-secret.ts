/**
 * Where a cluster's notification signing key lives in Key Vault — the one convention shared by `npm run onboard`
 * (which writes it) and the Function (which reads it with its identity): the secret `akvsync-signing-<cluster>`,
 * one version per key, the value the base64 of the key bytes, and the key id in the version's tag `akvsync-key-id`.
 * The current version is the key the Function signs with; older enabled versions are the ones a rotation overlaps.
 */
export const KEY_ID_TAG = 'akvsync-key-id';
export const SIGNING_KEY_CONTENT_TYPE = 'application/vnd.akvsync.signing-key+base64';
const SECRET_PREFIX = 'akvsync-signing-';
/** Key Vault secret names are 1–127 of `[0-9A-Za-z-]`. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

/** The cluster's signing-key secret name, or undefined when the cluster's name cannot name a Key Vault secret. */
export function signingKeySecretName(cluster: string): string | undefined {
  const name = `${SECRET_PREFIX}${cluster}`;
  return SECRET_NAME.test(name) ? name : undefined;
}
