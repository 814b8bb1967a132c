/** Waits for a condition with a deadline (never a fixed sleep that a slow machine could beat). */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
