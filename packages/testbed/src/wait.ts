import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Stops waiting early (e.g. the process exited); its message becomes the failure reason. */
  readonly abortReason?: () => string | undefined;
}

/**
 * Polls `probe` until it returns true. Resolves to undefined on success or to the
 * reason it gave up, so callers can attach their own context to the failure.
 */
export async function waitFor(probe: () => Promise<boolean>, options: WaitOptions): Promise<string | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) return aborted;
    try {
      if (await probe()) return undefined;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.intervalMs ?? 100);
  }
  return `not ready after ${options.timeoutMs} ms${lastError ? ` (last probe error: ${lastError})` : ''}`;
}

/** GET `url` and report whether it answered with a 2xx status. */
export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}
