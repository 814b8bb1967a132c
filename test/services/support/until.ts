/** Waits for a condition with a deadline (never a fixed sleep that a slow machine could beat). */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Polls `probe` until it answers something, and resolves with that. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, pollMs = 100): Promise<T> {
  let value: T | undefined;
  await until(what, async () => {
    value = await probe();
    return value !== undefined;
  }, timeoutMs, pollMs);
  if (value === undefined) throw new Error(`no value for: ${what}`);
  return value;
}
