import { isUtf8 } from 'node:buffer';

export interface ConfigMapData {
  /** UTF-8 values, as strings. */
  readonly data: Readonly<Record<string, string>>;
  /** Values that are not valid UTF-8 (e.g. after base64decode), base64-encoded as ConfigMap.binaryData wants. */
  readonly binaryData: Readonly<Record<string, string>>;
}

/** Splits DesiredOutput.data for a ConfigMap: text into `data`, anything else into `binaryData`. */
export function toConfigMapData(data: Readonly<Record<string, Uint8Array>>): ConfigMapData {
  const text: [string, string][] = [];
  const binary: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    const buffer = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (isUtf8(buffer)) text.push([key, buffer.toString('utf8')]);
    else binary.push([key, buffer.toString('base64')]);
  }
  return { data: Object.fromEntries(text), binaryData: Object.fromEntries(binary) };
}
