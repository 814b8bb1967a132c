/**
 * A tick id names one interval of a job: floor(time / interval). Every replica computes the same
 * id for the same interval whatever its start time, so the id (not a local counter) is what the
 * tick fence records.
 */
export function tickIdAt(time: Date, intervalMs: number): number {
  if (!Number.isInteger(intervalMs) || intervalMs <= 0) throw new RangeError(`a job's interval must be a positive whole number of ms, got ${String(intervalMs)}`);
  return Math.floor(time.getTime() / intervalMs);
}

/** Where tick `id` starts (ms since the epoch). */
export function tickStart(id: number, intervalMs: number): number {
  return id * intervalMs;
}
