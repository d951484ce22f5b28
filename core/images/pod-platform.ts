/**
 * Which platforms a Pod can run on, known at admission (it has no node yet): `kubernetes.io/arch` and
 * `kubernetes.io/os` from its `nodeSelector` and from required node affinity (terms are ORed, expressions in a
 * term ANDed; only `In` narrows). `undefined` means "not constrained": every platform of an index is a candidate.
 */
export interface PlatformConstraint {
  readonly architectures: readonly string[] | undefined;
  readonly operatingSystems: readonly string[] | undefined;
}

/** The fields of a PodSpec read here, as untrusted JSON (an AdmissionReview's pod); wrong shapes count as absent. */
export interface PodScheduling {
  readonly nodeSelector?: unknown;
  readonly affinity?: unknown;
  readonly [field: string]: unknown;
}

const field = (value: unknown, name: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined);
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

const ARCH_KEYS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];
const OS_KEYS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];

const intersect = (a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] | undefined =>
  a === undefined ? b : b === undefined ? a : a.filter((x) => b.includes(x));

/** Values one term allows for `keys` (undefined = any); `In` narrows, other operators leave it open. */
function termAllows(term: unknown, keys: readonly string[]): readonly string[] | undefined {
  let allowed: readonly string[] | undefined;
  for (const r of list(field(term, 'matchExpressions'))) {
    const key = field(r, 'key');
    if (typeof key !== 'string' || !keys.includes(key) || field(r, 'operator') !== 'In') continue;
    allowed = intersect(allowed, list(field(r, 'values')).filter((v): v is string => typeof v === 'string'));
  }
  return allowed;
}

function allowedValues(spec: PodScheduling, keys: readonly string[]): readonly string[] | undefined {
  let allowed: readonly string[] | undefined;
  for (const key of keys) {
    const value = field(spec.nodeSelector, key);
    if (typeof value === 'string') allowed = intersect(allowed, [value]);
  }
  const terms = list(field(field(field(spec.affinity, 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms'));
  if (terms.length > 0) {
    const perTerm = terms.map((t) => termAllows(t, keys));
    // ORed terms: open if any term is open, else the union.
    const union = perTerm.some((v) => v === undefined) ? undefined : [...new Set(perTerm.flatMap((v) => v ?? []))];
    allowed = intersect(allowed, union);
  }
  return allowed;
}

export function podPlatformConstraint(spec: PodScheduling): PlatformConstraint {
  return { architectures: allowedValues(spec, ARCH_KEYS), operatingSystems: allowedValues(spec, OS_KEYS) };
}
