/**
 * Kubernetes label selectors in their string form (`env=prod,tier!=cache,team in (a,b),!legacy`), checked before the
 * agent hands one to the apiserver (list/watch `labelSelector`), so a typo is a start-up error naming the setting and
 * not a watch that fails later. akv2k8s's OBJECT_LABELS (`k=v,k2=v2`, equality only) is a subset.
 */
const NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const PREFIX = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const KEY = new RegExp(`^(${PREFIX}/)?${NAME}$`);
const VALUE = new RegExp(`^(${NAME})?$`);

/** Splits on commas outside parentheses. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

const validKey = (key: string): boolean => KEY.test(key) && (key.split('/').pop() ?? '').length <= 63 && key.length <= 317;

function checkRequirement(req: string): string | undefined {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(req);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    if (!validKey(set[1] ?? '')) return 'has an invalid label key';
    return values.every((v) => v !== '' && VALUE.test(v)) ? undefined : 'has an invalid value in a set';
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(req);
  if (eq) return !validKey(eq[1] ?? '') ? 'has an invalid label key' : VALUE.test(eq[3] ?? '') ? undefined : 'has an invalid label value';
  const exists = /^!?\s*(\S+)$/.exec(req);
  if (exists) return validKey(exists[1] ?? '') ? undefined : 'has an invalid label key';
  return 'is not a label selector requirement';
}

/** The selector, trimmed, or the reason it is invalid (naming the position of the requirement, not quoting it). */
export function checkLabelSelector(selector: string): { ok: true; selector: string } | { ok: false; reason: string } {
  const parts = requirements(selector.trim());
  for (const [i, part] of parts.entries()) {
    const problem = part === '' ? 'is empty' : checkRequirement(part);
    if (problem) return { ok: false, reason: `requirement ${i + 1} ${problem}` };
  }
  return { ok: true, selector: parts.join(',') };
}
