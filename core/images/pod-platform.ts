/**
 * Which platforms a Pod can run on, known at admission (it has no node yet): `kubernetes.io/arch` and
 * `kubernetes.io/os` from its `nodeSelector` and from required node affinity (terms are ORed, expressions in a
 * term ANDed; only `In` narrows). `undefined` means "not constrained": every platform of an index is a candidate.
 */
export interface PlatformConstraint {
  readonly architectures: readonly string[] | undefined;
  readonly operatingSystems: readonly string[] | undefined;
}

interface Requirement {
  key?: unknown;
  operator?: unknown;
  values?: unknown;
}
/** The fields of a PodSpec read here, as plain JSON. */
export interface PodScheduling {
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: readonly { matchExpressions?: readonly Requirement[] }[] } } };
  [field: string]: unknown;
}

const ARCH_KEYS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];
const OS_KEYS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];

const intersect = (a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] | undefined =>
  a === undefined ? b : b === undefined ? a : a.filter((x) => b.includes(x));

/** Values one term allows for `keys` (undefined = any); `In` narrows, other operators leave it open. */
function termAllows(term: { matchExpressions?: readonly Requirement[] }, keys: readonly string[]): readonly string[] | undefined {
  let allowed: readonly string[] | undefined;
  for (const r of term.matchExpressions ?? []) {
    if (typeof r.key !== 'string' || !keys.includes(r.key) || r.operator !== 'In' || !Array.isArray(r.values)) continue;
    allowed = intersect(allowed, r.values.filter((v): v is string => typeof v === 'string'));
  }
  return allowed;
}

function allowedValues(spec: PodScheduling, keys: readonly string[]): readonly string[] | undefined {
  let allowed: readonly string[] | undefined;
  for (const key of keys) {
    const value = spec.nodeSelector?.[key];
    if (typeof value === 'string') allowed = intersect(allowed, [value]);
  }
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
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
