import type { Clock } from '../../core/ports/clock.js';

/**
 * Rate limit for log lines a stranger can cause (refused notifications): per kind, the first `perWindow` lines of
 * each window pass; the rest are only counted, and the next line that passes says how many were left out.
 * The metric still counts every one.
 */
export class SampledLog {
  private readonly windows = new Map<string, { start: number; passed: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** Whether to write this line, and how many lines of its kind were left out since the last one written. */
  allow(kind: string): { readonly log: boolean; readonly suppressed: number } {
    const now = this.clock.now();
    let w = this.windows.get(kind);
    if (!w || now - w.start >= this.windowMs) {
      const carried = w?.suppressed ?? 0;
      w = { start: now, passed: 0, suppressed: carried };
      this.windows.set(kind, w);
    }
    if (w.passed >= this.perWindow) {
      w.suppressed++;
      return { log: false, suppressed: 0 };
    }
    w.passed++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return { log: true, suppressed };
  }
}
