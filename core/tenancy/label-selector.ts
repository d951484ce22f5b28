/**
 * Kubernetes label selectors (metav1.LabelSelector) as pure functions: `matchLabels` and `matchExpressions` are
 * ANDed; an empty selector matches every label set. Operators and their value rules follow
 * apimachinery's LabelSelectorAsSelector: `In`/`NotIn` need values, `Exists`/`DoesNotExist` take none, and
 * `NotIn`/`DoesNotExist` match a label set that lacks the key.
 */

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

/** What is wrong with each requirement's values, as `<path>: message` (empty when the selector is well formed). */
export function labelSelectorErrors(selector: LabelSelector, path: string): string[] {
  const errors: string[] = [];
  (selector.matchExpressions ?? []).forEach((r, i) => {
    const count = r.values?.length ?? 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && count === 0) {
      errors.push(`${path}.matchExpressions[${i}].values: must not be empty for operator ${r.operator}`);
    }
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && count > 0) {
      errors.push(`${path}.matchExpressions[${i}].values: must be empty for operator ${r.operator}`);
    }
  });
  return errors;
}

const has = (labels: Labels, key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);

function requirementHolds(r: LabelSelectorRequirement, labels: Labels): boolean {
  const present = has(labels, r.key);
  switch (r.operator) {
    case 'In': return present && (r.values ?? []).includes(labels[r.key] as string);
    case 'NotIn': return !present || !(r.values ?? []).includes(labels[r.key] as string);
    case 'Exists': return present;
    case 'DoesNotExist': return !present;
  }
}

/** A matcher for a well-formed selector (check labelSelectorErrors first). */
export function compileLabelSelector(selector: LabelSelector): (labels: Labels) => boolean {
  const requirements: LabelSelectorRequirement[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]): LabelSelectorRequirement => ({ key, operator: 'In', values: [value] })),
    ...(selector.matchExpressions ?? []),
  ];
  return (labels) => requirements.every((r) => requirementHolds(r, labels));
}
