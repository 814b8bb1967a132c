/**
 * Runs the tasks given for one key one after another, in the order asked, and tasks of different
 * keys side by side. For work on one database row that many callers may ask for at once (a
 * provider delivering the same payment callback many times in parallel): serialized in the
 * process, the copies wait here instead of each holding a pool connection while blocked on the
 * row's lock — which, under load, ran the pool dry and answered the later copies 503. Across
 * processes the row lock still decides; this only keeps one process from queueing on itself.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Resolves or rejects with `task`'s own result once every earlier task of `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    // The last task of a key removes the key: the map holds only keys with work queued.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work running or queued (for tests and metrics). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
