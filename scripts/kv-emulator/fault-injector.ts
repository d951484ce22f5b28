/**
 * Injected faults: an error status (429 with Retry-After, 500, 503) and/or added latency for the requests a
 * rule matches, `times` times (default: until cleared). Rules are tried in the order they were added.
 */
import { AUTHORITY } from './request-stats.js';

export interface FaultRule {
  /** A vault name, or '(authority)' for the token issuer. Absent: every vault (not the token issuer). */
  vault?: string;
  method?: string;
  /** Tested against the path without the query string. */
  path?: RegExp;
  status?: 429 | 500 | 503;
  retryAfterSeconds?: number;
  latencyMs?: number;
  times?: number;
}

export interface Fault {
  readonly status: 429 | 500 | 503 | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly latencyMs: number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? Infinity;
    if (!(times > 0)) throw new Error(`FaultRule.times must be positive, got ${String(rule.times)}`);
    if (rule.status === undefined && !rule.latencyMs) throw new Error('A FaultRule needs a status or latencyMs');
    this.rules.push({ rule: { ...rule, vault: rule.vault?.toLowerCase() }, remaining: times });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if a rule matches; consumes one of its `times`. */
  take(target: string, method: string, path: string): Fault | undefined {
    const active = this.rules.find(({ rule }) => matches(rule, target, method, path));
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.rules = this.rules.filter((r) => r !== active);
    const { status, retryAfterSeconds, latencyMs } = active.rule;
    return { status, retryAfterSeconds, latencyMs: latencyMs ?? 0 };
  }
}

function matches(rule: FaultRule, target: string, method: string, path: string): boolean {
  if (rule.vault === undefined ? target === AUTHORITY : rule.vault !== target) return false;
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  rule.path.lastIndex = 0;
  return rule.path.test(path);
}
