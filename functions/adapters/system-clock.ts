import type { Clock } from '../../core/ports/clock.js';

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
