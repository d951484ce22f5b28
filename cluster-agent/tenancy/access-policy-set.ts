/**
 * The policies in force, as one AccessEvaluator: fixed (none → everything allowed; a file), or kept current from
 * AzureKeyVaultAccessPolicy objects. A policy object whose spec does not validate is reported (log line) and its last
 * valid spec stays in force, so a typo never widens or narrows access by surprise; a new invalid one grants nothing.
 */
import type { Logger } from 'pino';
import type { AccessPolicy } from '../../core/tenancy/access-policy.js';
import { ALLOW_EVERYTHING, compileAccessPolicies, type AccessEvaluator } from '../../core/tenancy/evaluate-access.js';
import { validateAccessPolicySpec } from '../../core/tenancy/validate-access-policy.js';

export interface AccessPolicyObject {
  readonly metadata: { readonly name: string; readonly uid?: string; readonly generation?: number };
  readonly spec?: unknown;
}

export class AccessPolicySet {
  private readonly policies = new Map<string, AccessPolicy>();
  private evaluator: AccessEvaluator;

  private constructor(fixed: AccessEvaluator, private readonly onChange: () => void = () => undefined, private readonly logger?: Logger) {
    this.evaluator = fixed;
  }

  static allowEverything(): AccessPolicySet {
    return new AccessPolicySet(ALLOW_EVERYTHING);
  }

  static fixed(policies: readonly AccessPolicy[]): AccessPolicySet {
    return new AccessPolicySet(compileAccessPolicies(policies));
  }

  /** A policy file's policies; `replaceAll` swaps them when the file changes, then `onChange`. */
  static replaceable(policies: readonly AccessPolicy[], logger: Logger, onChange: () => void): AccessPolicySet {
    const set = new AccessPolicySet(compileAccessPolicies(policies), onChange, logger);
    for (const p of policies) set.policies.set(p.name, p);
    return set;
  }

  /** Starts empty (deny everything) until watched objects arrive; `onChange` after every change in force. */
  static watched(logger: Logger, onChange: () => void): AccessPolicySet {
    return new AccessPolicySet(compileAccessPolicies([]), onChange, logger);
  }

  current(): AccessEvaluator {
    return this.evaluator;
  }

  upsert(object: AccessPolicyObject): void {
    const name = object.metadata.name;
    const check = validateAccessPolicySpec(object.spec);
    if (!check.ok) {
      const kept = this.policies.has(name);
      this.logger?.error({ policy: name, errors: check.errors, kept }, kept
        ? 'AzureKeyVaultAccessPolicy is invalid; its last valid spec stays in force'
        : 'AzureKeyVaultAccessPolicy is invalid; it grants nothing');
      return;
    }
    this.policies.set(name, { name, spec: check.spec });
    this.rebuild();
  }

  /** Every policy replaced at once (a changed policy file that validated). */
  replaceAll(policies: readonly AccessPolicy[]): void {
    this.policies.clear();
    for (const p of policies) this.policies.set(p.name, p);
    this.rebuild();
  }

  remove(object: AccessPolicyObject): void {
    if (this.policies.delete(object.metadata.name)) this.rebuild();
  }

  private rebuild(): void {
    this.evaluator = compileAccessPolicies([...this.policies.values()]);
    this.logger?.info({ policies: [...this.policies.keys()] }, 'access policies in force');
    this.onChange();
  }
}
