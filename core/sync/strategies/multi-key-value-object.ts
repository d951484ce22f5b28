import type { ObjectTypeStrategy } from '../output-strategy.js';
import { multiKeyValueFormat } from '../multi-key-value-format.js';
import { parseMultiKeyValue } from '../parse-multi-key-value.js';

/** `multi-key-value-secret`: every key of the JSON/YAML map becomes a data key (dataKey is ignored, as in akv2k8s). */
export const multiKeyValueObject: ObjectTypeStrategy = ({ spec, value }) => {
  const format = multiKeyValueFormat(spec.vault.object.contentType, value.contentType);
  const subject = { objectName: spec.vault.object.name, version: value.version };
  return parseMultiKeyValue(value.value, format, subject).map(([key, text]) => [key, Buffer.from(text, 'utf8')]);
};
