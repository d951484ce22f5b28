/** PEM blocks of a text, by label, in order (RFC 7468 textual encoding; the base64 body is not decoded). */
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

export interface PemBlock {
  readonly label: string;
  readonly text: string;
}

export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1] as string, text: m[0] }));
}

/** The PEM certificates in a text (a CA bundle), in order. */
export const pemCertificates = (text: string): string[] => pemBlocks(text).filter((b) => b.label === 'CERTIFICATE').map((b) => b.text);
