/**
 * Runs the tasks given for one key one after another, in the order asked, and tasks of different
 * keys side by side. Used for:
 * - one chat's updates in the monolith's inline webhook: Telegram sends them in order and the main
 *   bot's conversation state depends on that order (Decided 3);
 * - copies of one invoice's payment callback: serialized in the process, they wait here instead of
 *   each holding a pool connection while blocked on the row's lock, which under load ran the pool
 *   dry and answered the later copies 503. Across processes the row lock still decides.
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

  /** Keys with work running or queued. */
  get size(): number {
    return this.tails.size;
  }
}
