/**
 * Conditions shaped like metav1.Condition, the vocabulary `kubectl wait --for=condition=...`
 * and every Kubernetes tool understands.
 */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly observedGeneration?: number;
  /** RFC 3339, seconds precision: when `status` last changed. */
  readonly lastTransitionTime: string;
  /** UpperCamelCase, machine-readable. */
  readonly reason: string;
  readonly message: string;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/** metav1.Condition's validation, so a bad reason fails here and not at the apiserver. */
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/u;
const MAX_MESSAGE = 32_768;

export class InvalidConditionError extends Error {
  constructor(readonly update: ConditionUpdate, problem: string) {
    super(`condition ${update.type}: ${problem}`);
    this.name = 'InvalidConditionError';
  }
}

/** metav1.Time: RFC 3339 in UTC without fractional seconds. */
export function metaTime(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

/**
 * Returns a new list where the condition of `update.type` is set. `lastTransitionTime` moves to
 * `now` only when the status changes (or the condition is new); reason, message and
 * observedGeneration always take the new values. Other conditions keep their order.
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, now: Date | number): Condition[] {
  if (!REASON.test(update.reason) || update.reason.length > 1024) {
    throw new InvalidConditionError(update, `reason '${update.reason}' must be UpperCamelCase letters, digits, '_', ',' or ':'`);
  }
  if (update.message.length > MAX_MESSAGE) throw new InvalidConditionError(update, `message is longer than ${MAX_MESSAGE} characters`);
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === update.type);
  const existing = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    existing !== undefined && existing.status === update.status ? existing.lastTransitionTime : metaTime(now);
  const next: Condition = { ...update, lastTransitionTime };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((condition) => condition.type !== type);
}
