import { readCertificateValue } from '../../certificates/certificate-value.js';
import { leafCertificatePem, rawCertificateValue } from '../../certificates/public-outputs.js';
import { tlsSecretData } from '../../certificates/tls-secret-data.js';
import { SECRET_TYPE_TLS } from '../../crd/secret-types.js';
import { secretValueOf } from '../output-strategy.js';
import type { ObjectTypeStrategy } from '../output-strategy.js';
import { requireDataKey } from './require-data-key.js';

/**
 * `certificate`, read as its backing secret (PEM or PKCS#12, RSA or EC), with akv2k8s's three shapes:
 * - Secret `kubernetes.io/tls`: `tls.crt` (whole chain, leaf first), `tls.key`, optionally `ca.crt`; a certificate whose
 *   key is not exportable fails with `KeyNotExportable` (terminal, the last output stays);
 * - Secret with an explicit type (`Opaque` or custom): the raw value under `dataKey` (PEM text, or the PFX bytes);
 * - ConfigMap, or Secret with no `type`: the public leaf certificate (PEM) under `dataKey` (akv2k8s crashes on the
 *   ConfigMap case).
 */
export const certificateObject: ObjectTypeStrategy = (input) => {
  const { spec, target } = input;
  const { value, contentType } = secretValueOf(input);
  const subject = { objectName: spec.vault.object.name, version: input.value.version };
  const declaredType = target.kind === 'Secret' ? spec.output?.secret?.type : undefined;
  if (declaredType === SECRET_TYPE_TLS) {
    return tlsSecretData(readCertificateValue(value, contentType, subject), subject, { includeCaCert: spec.output?.secret?.includeCaCert === true });
  }
  const dataKey = requireDataKey(target);
  if (declaredType !== undefined) return [[dataKey, rawCertificateValue(value, contentType, subject)]];
  const leaf = readCertificateValue(value, contentType, subject).chain[0];
  return leaf ? [[dataKey, leafCertificatePem(leaf.raw, subject)]] : [];
};
