/**
 * Runs work for the same key one at a time, in arrival order (different keys run freely). Used
 * where a decision and the action that follows it must not interleave, e.g. two cancellations of
 * one payment: the second must see what the first did.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}
