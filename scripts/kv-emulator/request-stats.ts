/**
 * Request counters keyed "<vault> <operation> <status>", per client id (the token's `appid` on a vault, the form's
 * `client_id` at the authority; ANONYMOUS when none). `requestCount` leaves out the 401 challenges (the
 * unauthenticated first request every fresh Key Vault client makes), so "one read" means one authenticated read
 * whatever the client's token state; `counters()` and `countersByClient()` show everything.
 */
import { ANONYMOUS } from './request-client.js';

export const AUTHORITY = '(authority)';

export interface RequestFilter {
  vault?: string;
  operation?: string;
  clientId?: string;
}

export class RequestStats {
  /** client id → "<vault> <operation> <status>" → count */
  private readonly counts = new Map<string, Map<string, number>>();

  record(vault: string, operation: string, status: number, clientId: string = ANONYMOUS): void {
    const client = clientId.toLowerCase();
    let byKey = this.counts.get(client);
    if (!byKey) {
      byKey = new Map();
      this.counts.set(client, byKey);
    }
    const key = `${vault} ${operation} ${status}`;
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }

  /** All clients together. */
  counters(): Record<string, number> {
    const total = new Map<string, number>();
    for (const byKey of this.counts.values()) {
      for (const [key, count] of byKey) total.set(key, (total.get(key) ?? 0) + count);
    }
    return sorted(total);
  }

  /** client id → counters of that client. */
  countersByClient(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.counts.keys()].sort().map((client) => [client, sorted(this.counts.get(client) as Map<string, number>)]));
  }

  requestCount(filter: RequestFilter = {}): number {
    let total = 0;
    for (const [client, byKey] of this.counts) {
      if (filter.clientId !== undefined && client !== filter.clientId.toLowerCase()) continue;
      for (const [key, count] of byKey) {
        const [vault, operation, status] = key.split(' ');
        if (status === '401') continue;
        if (filter.vault !== undefined && vault !== filter.vault.toLowerCase()) continue;
        if (filter.operation !== undefined && operation !== filter.operation) continue;
        total += count;
      }
    }
    return total;
  }

  reset(): void {
    this.counts.clear();
  }
}

function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
