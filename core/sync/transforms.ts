import { isUtf8 } from 'node:buffer';
import type { AkvsTransform } from '../crd/azure-key-vault-secret.js';
import { TerminalError } from '../errors.js';

/** Says which value a transform failed on, by name and version only (never the value). */
export interface TransformSubject {
  readonly objectName: string;
  readonly version: string;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const ASCII_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

function trim(value: Buffer): Buffer {
  if (isUtf8(value)) return Buffer.from(value.toString('utf8').trim(), 'utf8');
  let start = 0;
  let end = value.length;
  while (start < end && ASCII_SPACE.has(value[start] as number)) start++;
  while (end > start && ASCII_SPACE.has(value[end - 1] as number)) end--;
  return value.subarray(start, end);
}

/** Standard or URL-safe alphabet, padding optional, line breaks and spaces ignored; anything else is refused. */
function base64decode(value: Buffer): Buffer | undefined {
  const text = value.toString('latin1').replace(/[\r\n\t ]/g, '');
  if (!BASE64.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (text.length !== unpadded.length && text.length % 4 !== 0)) return undefined;
  return Buffer.from(unpadded, 'base64');
}

/**
 * Applies `output.transform` in order (akv2k8s semantics: trim, base64encode, base64decode).
 * A failure is a TerminalError `TransformFailed` naming the step and the Key Vault object, never the value.
 */
export function applyTransforms(value: Buffer, transforms: readonly AkvsTransform[], subject: TransformSubject): Buffer {
  let current = value;
  transforms.forEach((transform, index) => {
    switch (transform) {
      case 'trim':
        current = trim(current);
        break;
      case 'base64encode':
        current = Buffer.from(current.toString('base64'), 'latin1');
        break;
      case 'base64decode': {
        const decoded = base64decode(current);
        if (decoded === undefined) {
          throw new TerminalError('TransformFailed',
            `spec.output.transform[${index}] (base64decode): the value of Key Vault secret '${subject.objectName}' `
            + `version ${subject.version} is not valid base64`);
        }
        current = decoded;
        break;
      }
      default: {
        const unknown: never = transform;
        throw new TerminalError('TransformFailed', `spec.output.transform[${index}]: unknown transform ${JSON.stringify(unknown)}`);
      }
    }
  });
  return current;
}
