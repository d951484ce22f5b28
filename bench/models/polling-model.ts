/**
 * A model of a polling controller's Key Vault traffic for unchanged objects: which object it reads at which
 * moment of model time. The models are pure schedules; bench/models/run-polling-model.ts issues the reads for
 * real, through the Key Vault SDK, against the emulator, which counts them.
 */
export interface ScheduledRead {
  /** Seconds of model time since the window opened. */
  readonly atSeconds: number;
  readonly objectName: string;
}

export interface PollingModel {
  readonly name: string;
  /** Seconds between two reads of the same object. */
  readonly periodSeconds: number;
  /** Reads the controller has in flight at once (its worker count). */
  readonly concurrency: number;
  /** How the model was built and from which upstream sources, for the result JSON. */
  readonly howBuilt: string;
  /** Reads made in the window (0, windowSeconds], in time order. */
  reads(objectNames: readonly string[], windowSeconds: number): ScheduledRead[];
}

/** Every object is read at every multiple of `periodSeconds` (an informer resync fires for all objects at once). */
export function lockstepReads(objectNames: readonly string[], periodSeconds: number, windowSeconds: number): ScheduledRead[] {
  const reads: ScheduledRead[] = [];
  for (let t = periodSeconds; t <= windowSeconds; t += periodSeconds) {
    for (const objectName of objectNames) reads.push({ atSeconds: t, objectName });
  }
  return reads;
}

/**
 * Each object is read once per period at its own phase (requeue-after from its own last sync); in steady state
 * the phases are spread evenly over the period.
 */
export function staggeredReads(objectNames: readonly string[], periodSeconds: number, windowSeconds: number): ScheduledRead[] {
  const reads: ScheduledRead[] = [];
  const n = objectNames.length;
  objectNames.forEach((objectName, i) => {
    const phase = ((i + 0.5) * periodSeconds) / n;
    for (let t = phase; t <= windowSeconds; t += periodSeconds) reads.push({ atSeconds: t, objectName });
  });
  return reads.sort((a, b) => a.atSeconds - b.atSeconds);
}
