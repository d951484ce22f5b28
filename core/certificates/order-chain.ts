import type { KeyObject, X509Certificate } from 'node:crypto';

/** `issuer` signed `cert`: names/key ids match and the signature verifies with the issuer's key. */
export function isIssuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

export const isSelfSigned = (cert: X509Certificate): boolean => isIssuedBy(cert, cert);

function distinct(certs: readonly X509Certificate[]): X509Certificate[] {
  return certs.filter((c, i) => certs.findIndex((o) => o.raw.equals(c.raw)) === i);
}

/** The certificate of `key` when there is one; else the first that issued none of the others. */
function findLeaf(certs: readonly X509Certificate[], key: KeyObject | undefined): X509Certificate | undefined {
  if (key !== undefined) return certs.find((c) => c.checkPrivateKey(key));
  return certs.find((c) => !certs.some((other) => other !== c && isIssuedBy(other, c))) ?? certs[0];
}

export interface OrderedChain {
  /** Leaf, then its issuer, then that one's issuer…; certificates outside that path follow in stored order. */
  readonly chain: X509Certificate[];
  /** How many of `chain` form the issuer path from the leaf (≥ 1). */
  readonly pathLength: number;
}

/**
 * Puts a certificate chain in the order TLS servers send it, whatever order Key Vault stored it in (akv2k8s's
 * `chainOrder: ensureserverfirst` only moved the last certificate to the front). Duplicates are dropped.
 * Undefined when `key` is given and no certificate matches it.
 */
export function orderChain(certs: readonly X509Certificate[], key?: KeyObject): OrderedChain | undefined {
  const rest = distinct(certs);
  const leaf = findLeaf(rest, key);
  if (leaf === undefined) return undefined;
  const chain = [leaf];
  rest.splice(rest.indexOf(leaf), 1);
  for (let current = leaf; !isSelfSigned(current);) {
    const issuer = rest.find((c) => isIssuedBy(current, c));
    if (issuer === undefined) break;
    chain.push(issuer);
    rest.splice(rest.indexOf(issuer), 1);
    current = issuer;
  }
  return { chain: [...chain, ...rest], pathLength: chain.length };
}
