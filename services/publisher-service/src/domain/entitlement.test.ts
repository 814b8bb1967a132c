import { describe, expect, it } from '@jest/globals';
import { AnyOfEntitlements } from './entitlement.js';
import type { PostingEntitlement } from './ports.js';

/** A source that answers `answer` (or throws it) and counts the questions. */
function source(answer: boolean | Error): PostingEntitlement & { asked: number } {
  return {
    asked: 0,
    hasPostingSubscription() {
      this.asked++;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

describe('AnyOfEntitlements', () => {
  const at = new Date('2026-12-01T00:00:00Z');

  it('is entitled by the first source that says yes and asks no later source', async () => {
    const grant = source(true);
    const payments = source(new Error('payments unreachable'));
    expect(await new AnyOfEntitlements(grant, payments).hasPostingSubscription(1n, at)).toBe(true);
    expect(payments.asked).toBe(0);
  });

  it('asks the next source when the first says no', async () => {
    const payments = source(true);
    expect(await new AnyOfEntitlements(source(false), payments).hasPostingSubscription(1n, at)).toBe(true);
    expect(payments.asked).toBe(1);
  });

  it('refuses only when every source says no', async () => {
    expect(await new AnyOfEntitlements(source(false), source(false)).hasPostingSubscription(1n, at)).toBe(false);
  });

  it('passes on a source that cannot answer, rather than refusing', async () => {
    await expect(new AnyOfEntitlements(source(false), source(new Error('payments unreachable'))).hasPostingSubscription(1n, at)).rejects.toThrow('payments unreachable');
  });
});
