import { secretValueOf } from '../output-strategy.js';
import type { ObjectTypeStrategy } from '../output-strategy.js';
import { multiKeyValueFormat } from '../multi-key-value-format.js';
import { parseMultiKeyValue } from '../parse-multi-key-value.js';

/** `multi-key-value-secret`: every key of the JSON/YAML map becomes a data key (dataKey is ignored, as in akv2k8s). */
export const multiKeyValueObject: ObjectTypeStrategy = (input) => {
  const { spec, value } = input;
  const { value: text, contentType } = secretValueOf(input);
  const format = multiKeyValueFormat(spec.vault.object.contentType, contentType);
  const subject = { objectName: spec.vault.object.name, version: value.version };
  return parseMultiKeyValue(text, format, subject).map(([key, v]) => [key, Buffer.from(v, 'utf8')]);
};
