/** PEM text ↔ DER blocks (RFC 7468), for certificates and private keys. */

export interface PemBlock {
  /** The label between BEGIN and END, e.g. `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`. */
  readonly label: string;
  readonly der: Buffer;
  /** RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) were present: an OpenSSL-encrypted traditional key. */
  readonly hasHeaders: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every well-formed block, in order. Text outside blocks (OpenSSL's "Bag Attributes", comments) is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => {
    const body = m[2] ?? '';
    const hasHeaders = /^[A-Za-z-]+:/m.test(body);
    const base64 = hasHeaders ? body.slice(body.search(/\r?\n\r?\n/) + 1) : body;
    return { label: m[1] ?? '', der: Buffer.from(base64.replace(/\s+/g, ''), 'base64'), hasHeaders };
  });
}

/** One PEM block with 64-character lines and LF line ends. */
export function toPem(label: string, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
