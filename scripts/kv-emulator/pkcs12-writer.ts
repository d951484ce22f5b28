/**
 * Writes a PKCS#12 the way Key Vault serves a certificate's secret (`application/x-pkcs12`, empty password): the
 * certificates in one bag each, the PKCS#8 key (any type: RSA, EC…) in a shrouded key bag (PBE-SHA1-3DES), both tied
 * by a `localKeyId` (SHA-1 of the leaf), and a SHA-1 MAC. The layout is forge's `toPkcs12Asn1`, built from its ASN.1
 * primitives because that function only takes RSA keys and RSA certificates.
 */
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const { asn1, pki } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;
const seq = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(U, T.SEQUENCE, true, items);
const oid = (id: string): forge.asn1.Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: string): forge.asn1.Asn1 => asn1.create(U, T.OCTETSTRING, false, bytes);
const explicit0 = (item: forge.asn1.Asn1): forge.asn1.Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item]);
const der = (item: forge.asn1.Asn1): string => asn1.toDer(item).getBytes();
const dataContent = (item: forge.asn1.Asn1): forge.asn1.Asn1 => seq([oid(pki.oids.data as string), explicit0(octets(der(item)))]);

const ITERATIONS = 2048;

/** A DER PKCS#12 of `certificates` (leaf first) and, when given, the PKCS#8 DER `privateKey`. */
export function writePkcs12(privateKey: Buffer | undefined, certificates: readonly Buffer[], password = ''): Buffer {
  const leaf = certificates[0];
  const localKeyId = leaf ? createHash('sha1').update(leaf).digest().toString('binary') : randomBytes(20).toString('binary');
  const attributes = asn1.create(U, T.SET, true, [seq([oid(pki.oids.localKeyId as string), asn1.create(U, T.SET, true, [octets(localKeyId)])])]);

  const certBags = certificates.map((cert, i) => seq([
    oid(pki.oids.certBag as string),
    explicit0(seq([oid(pki.oids.x509Certificate as string), explicit0(octets(cert.toString('binary')))])),
    ...(i === 0 ? [attributes] : []),
  ]));
  const contents = certBags.length > 0 ? [dataContent(seq(certBags))] : [];
  if (privateKey !== undefined) {
    const shrouded = pki.encryptPrivateKeyInfo(asn1.fromDer(privateKey.toString('binary')), password, { algorithm: '3des', count: ITERATIONS });
    contents.push(dataContent(seq([seq([oid(pki.oids.pkcs8ShroudedKeyBag as string), explicit0(shrouded), attributes])])));
  }
  const safe = seq(contents);

  const salt = randomBytes(8).toString('binary');
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, ITERATIONS, 20);
  const hmac = forge.hmac.create();
  hmac.start(forge.md.sha1.create(), macKey);
  hmac.update(der(safe));
  const macData = seq([
    seq([seq([oid(pki.oids.sha1 as string), asn1.create(U, T.NULL, false, '')]), octets(hmac.getMac().getBytes())]),
    octets(salt),
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(ITERATIONS).getBytes()),
  ]);
  const pfx = seq([asn1.create(U, T.INTEGER, false, asn1.integerToDer(3).getBytes()), dataContent(safe), macData]);
  return Buffer.from(der(pfx), 'binary');
}
