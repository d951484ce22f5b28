/**
 * PKCS#12 (PFX) → private key(s) and certificates as node:crypto objects.
 *
 * node-forge opens the container: MAC check (SHA-1/SHA-2), PBES1 (3DES, RC2) and PBES2 (PBKDF2 + AES/3DES), the
 * encryptions Azure Key Vault, Windows and OpenSSL 1.x/3.x export with. forge only *parses* RSA keys and
 * certificates; for anything else (EC, Ed25519) it leaves the decrypted ASN.1 on the bag (`bag.asn1`). We take the DER
 * of every bag either way and let node:crypto (OpenSSL) import it, so RSA and EC go one path. See docs/dependencies.md.
 */
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { maxPkcs12Iterations } from './pkcs12-iterations.js';
import { type ValueSubject, invalidValue } from './value-subject.js';

export interface Pkcs12Contents {
  readonly privateKeys: KeyObject[];
  readonly certificates: X509Certificate[];
}

type Bag = forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };

const oids = forge.pki.oids;
/** Exports use 2,000–10,000 (OpenSSL 2,048; Windows 2,000); forge's JavaScript PBKDF2 takes ~5 s at 100,000. */
export const MAX_ITERATIONS = 100_000;
const KEY_BAG_TYPES = [oids.pkcs8ShroudedKeyBag, oids.keyBag] as string[];

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): Bag[] {
  return (p12.getBags({ bagType })[bagType] ?? []) as Bag[];
}

function derOf(asn1: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

function keyDer(bag: Bag): Buffer | undefined {
  if (bag.key) return derOf(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)));
  return bag.asn1 ? derOf(bag.asn1) : undefined;
}

function certificateDer(bag: Bag): Buffer | undefined {
  if (bag.cert) return derOf(forge.pki.certificateToAsn1(bag.cert));
  return bag.asn1 ? derOf(bag.asn1) : undefined;
}

function open(der: Buffer, password: string, subject: ValueSubject): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(der.toString('binary'));
  } catch {
    throw invalidValue('InvalidCertificate', subject, 'is not DER-encoded PKCS#12');
  }
  if (maxPkcs12Iterations(asn1) > MAX_ITERATIONS) {
    throw invalidValue('InvalidCertificate', subject, `is a PKCS#12 asking for more than ${MAX_ITERATIONS} key-derivation iterations`);
  }
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (e) {
    const mac = e instanceof Error && /MAC could not be verified/i.test(e.message);
    throw invalidValue('InvalidCertificate', subject, mac ? 'is a PKCS#12 whose integrity check fails with an empty password' : 'is not a PKCS#12 this agent can read');
  }
}

/** Reads a DER PKCS#12 (Key Vault's have an empty password). TerminalError `InvalidCertificate` when it cannot. */
export function readPkcs12(der: Buffer, subject: ValueSubject, password = ''): Pkcs12Contents {
  const p12 = open(der, password, subject);
  try {
    return {
      privateKeys: KEY_BAG_TYPES.flatMap((t) => bagsOf(p12, t)).flatMap((bag) => {
        const key = keyDer(bag);
        return key ? [createPrivateKey({ key, format: 'der', type: 'pkcs8' })] : [];
      }),
      certificates: bagsOf(p12, oids.certBag as string).flatMap((bag) => {
        const cert = certificateDer(bag);
        return cert ? [new X509Certificate(cert)] : [];
      }),
    };
  } catch {
    throw invalidValue('InvalidCertificate', subject, 'is a PKCS#12 holding a key or certificate that cannot be read');
  }
}
