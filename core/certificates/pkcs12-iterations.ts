/**
 * The largest key-derivation iteration count a PKCS#12 asks for (MAC, PBES1 and PBKDF2 parameters), found before
 * it is opened: node-forge derives keys in JavaScript on the event loop, so a PFX asking for 10^8 iterations would
 * stall the agent for minutes. Every such parameter block is `SEQUENCE { salt OCTET STRING, iterations INTEGER, … }`
 * (RFC 7292 MacData and pkcs-12PbeParams, RFC 8018 PBKDF2-params); the walk descends into the OCTET STRINGs that hold
 * DER (the authenticated safe, safe contents, bags), not into context-tagged ciphertext.
 */
import forge from 'node-forge';

const { Class, Type } = forge.asn1;
const MAX_DEPTH = 12;

const isUniversal = (node: forge.asn1.Asn1 | undefined, type: number): boolean => node?.tagClass === Class.UNIVERSAL && node.type === type;

function integerValue(node: forge.asn1.Asn1): number {
  const bytes = typeof node.value === 'string' ? node.value : '';
  if (bytes.length > 6) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (const ch of bytes) n = n * 256 + ch.charCodeAt(0);
  return n;
}

function walk(node: forge.asn1.Asn1, depth: number): number {
  if (depth > MAX_DEPTH) return 0;
  if (Array.isArray(node.value)) {
    const items = node.value;
    let max = 0;
    if (isUniversal(node, Type.SEQUENCE)) {
      for (let i = 0; i + 1 < items.length; i++) {
        if (isUniversal(items[i], Type.OCTETSTRING) && isUniversal(items[i + 1], Type.INTEGER)) max = Math.max(max, integerValue(items[i + 1] as forge.asn1.Asn1));
      }
    }
    for (const child of items) max = Math.max(max, walk(child, depth + 1));
    return max;
  }
  if (isUniversal(node, Type.OCTETSTRING) && typeof node.value === 'string' && node.value.charCodeAt(0) === 0x30) {
    try {
      return walk(forge.asn1.fromDer(node.value, true), depth + 1);
    } catch {
      return 0;
    }
  }
  return 0;
}

export function maxPkcs12Iterations(pfx: forge.asn1.Asn1): number {
  return walk(pfx, 0);
}
