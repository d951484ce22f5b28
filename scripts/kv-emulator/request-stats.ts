/**
 * Per-endpoint request counters keyed "<vault> <operation> <status>". `requestCount` leaves out the 401
 * challenges (the unauthenticated first request every fresh Key Vault client makes), so "one read" means one
 * authenticated read whatever the client's token state; `counters()` shows everything.
 */
export const AUTHORITY = '(authority)';

export class RequestStats {
  private readonly counts = new Map<string, number>();

  record(vault: string, operation: string, status: number): void {
    const key = `${vault} ${operation} ${status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  counters(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  requestCount(filter: { vault?: string; operation?: string } = {}): number {
    let total = 0;
    for (const [key, count] of this.counts) {
      const [vault, operation, status] = key.split(' ');
      if (status === '401') continue;
      if (filter.vault !== undefined && vault !== filter.vault.toLowerCase()) continue;
      if (filter.operation !== undefined && operation !== filter.operation) continue;
      total += count;
    }
    return total;
  }

  reset(): void {
    this.counts.clear();
  }
}
