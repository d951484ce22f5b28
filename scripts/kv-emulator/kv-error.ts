/**
 * An error the emulator answers with, shaped like Key Vault's: `{"error":{"code","message","innererror"?}}`.
 * Messages are built from names, versions and codes only, never from secret values.
 */
export class KvError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  constructor(status: number, code: string, message: string, innerCode?: string) {
    super(message);
    this.name = 'KvError';
    this.status = status;
    this.code = code;
    this.innerCode = innerCode;
  }

  body(): { error: { code: string; message: string; innererror?: { code: string } } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}),
      },
    };
  }
}

export const badParameter = (message: string): KvError => new KvError(400, 'BadParameter', message);

export const notFound = (objectType: 'Secret' | 'Certificate' | 'Key', name: string, version?: string): KvError =>
  new KvError(
    404,
    `${objectType}NotFound`,
    version
      ? `A ${objectType.toLowerCase()} with (name/id) ${name}/${version} was not found in this key vault.`
      : `A ${objectType.toLowerCase()} with (name/id) ${name} was not found in this key vault.`,
  );

export const disabled = (objectType: 'Secret' | 'Certificate' | 'Key'): KvError =>
  new KvError(
    403,
    'Forbidden',
    `Operation get is not allowed on a disabled ${objectType.toLowerCase()}.`,
    `${objectType}Disabled`,
  );
