const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Decodes signing-key material written as base64 or base64url (surrounding white space ignored); undefined when
 * the text is neither. Callers check the length and word their own errors, which never contain the text.
 */
export function decodeKeyMaterial(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  const encoding = BASE64.test(trimmed) ? 'base64' : BASE64URL.test(trimmed) ? 'base64url' : undefined;
  return encoding === undefined ? undefined : new Uint8Array(Buffer.from(trimmed, encoding));
}
