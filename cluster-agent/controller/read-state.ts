/**
 * What the agent last saw of each vault object when it read its latest version, per work-queue key: the fallback
 * check compares the vault's property listing with it and enqueues only objects that moved.
 */
export interface ObjectReadState {
  readonly present: boolean;
  readonly enabled: boolean;
  readonly updatedOn: number | undefined;
}

export class ReadStates {
  private readonly states = new Map<string, ObjectReadState>();

  record(key: string, state: ObjectReadState): void {
    this.states.set(key, state);
  }

  get(key: string): ObjectReadState | undefined {
    return this.states.get(key);
  }

  forget(key: string): void {
    this.states.delete(key);
  }
}
