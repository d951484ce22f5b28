/** What the emulator stores per object version. Times are epoch seconds, as on Key Vault's wire. */
export type ObjectType = 'Secret' | 'Certificate' | 'Key';

export interface ObjectAttributes {
  enabled: boolean;
  nbf: number | undefined;
  exp: number | undefined;
  created: number;
  updated: number;
}

export interface SecretRecord {
  readonly version: string;
  readonly value: string;
  contentType: string | undefined;
  tags: Record<string, string> | undefined;
  readonly attributes: ObjectAttributes;
  /** True for the secret that backs a certificate (then `kid` points at the key with the same name and version). */
  readonly managed: boolean;
}

export interface KeyRecord {
  readonly version: string;
  /** The public part only. */
  readonly jwk: Readonly<Record<string, string>>;
  tags: Record<string, string> | undefined;
  readonly attributes: ObjectAttributes;
  readonly managed: boolean;
}

/** What a certificate version's policy says (the parts the emulator honours). */
export interface CertificatePolicy {
  /** `key_props.exportable`: false → the backing secret holds the certificates only, no private key. */
  readonly exportable: boolean;
  /** `secret_props.contentType`: the backing secret's format. */
  readonly contentType: string;
  readonly keyType: 'RSA' | 'EC';
  readonly keySize: number | undefined;
  readonly curve: string | undefined;
  /** `x509_props.subject`, e.g. `CN=app.example.test`. */
  readonly subject: string;
}

export interface CertificateRecord {
  readonly version: string;
  readonly cerDer: Buffer;
  /** base64url SHA-1 thumbprint of the DER. */
  readonly x5t: string;
  readonly policy: CertificatePolicy;
  tags: Record<string, string> | undefined;
  readonly attributes: ObjectAttributes;
}

/** Attributes a caller may set when creating or updating a version. */
export interface AttributeInput {
  enabled?: boolean | undefined;
  nbf?: number | undefined;
  exp?: number | undefined;
}

export interface NewVersion {
  readonly objectType: ObjectType;
  readonly name: string;
  readonly version: string;
  readonly nbf: number | undefined;
  readonly exp: number | undefined;
}

export function newAttributes(input: AttributeInput, nowSeconds: number): ObjectAttributes {
  return {
    enabled: input.enabled ?? true,
    nbf: input.nbf,
    exp: input.exp,
    created: nowSeconds,
    updated: nowSeconds,
  };
}

/** Applies the attributes present in `input`; absent ones stay as they were (Key Vault's PATCH semantics). */
export function patchAttributes(attributes: ObjectAttributes, input: AttributeInput, nowSeconds: number): void {
  if (input.enabled !== undefined) attributes.enabled = input.enabled;
  if (input.nbf !== undefined) attributes.nbf = input.nbf;
  if (input.exp !== undefined) attributes.exp = input.exp;
  attributes.updated = nowSeconds;
}
