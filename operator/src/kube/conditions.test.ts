import { describe, expect, it } from '@jest/globals';
import { findCondition, InvalidConditionError, isConditionTrue, metaTime, removeCondition, setCondition } from './conditions.js';

const T0 = Date.parse('2025-01-01T10:00:00.123Z');
const T1 = Date.parse('2025-01-01T10:05:00.000Z');

describe('setCondition', () => {
  it('adds a new condition with lastTransitionTime now, in metav1.Time format', () => {
    const list = setCondition([], { type: 'Ready', status: 'False', reason: 'Starting', message: 'first step', observedGeneration: 1 }, T0);
    expect(list).toEqual([
      { type: 'Ready', status: 'False', reason: 'Starting', message: 'first step', observedGeneration: 1, lastTransitionTime: '2025-01-01T10:00:00Z' },
    ]);
  });

  it('keeps lastTransitionTime when the status does not change, but takes the new reason, message and generation', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'A', message: 'a', observedGeneration: 1 }, T0);
    const second = setCondition(first, { type: 'Ready', status: 'True', reason: 'B', message: 'b', observedGeneration: 2 }, T1);
    expect(second).toEqual([{ type: 'Ready', status: 'True', reason: 'B', message: 'b', observedGeneration: 2, lastTransitionTime: metaTime(T0) }]);
    // The input is not mutated.
    expect(first[0]?.reason).toBe('A');
  });

  it('moves lastTransitionTime when the status changes and keeps the other conditions in place', () => {
    let list = setCondition([], { type: 'Ready', status: 'True', reason: 'Ok', message: '' }, T0);
    list = setCondition(list, { type: 'Paused', status: 'False', reason: 'NotPaused', message: '' }, T0);
    list = setCondition(list, { type: 'Ready', status: 'False', reason: 'Broken', message: 'x' }, T1);
    expect(list.map((c) => c.type)).toEqual(['Ready', 'Paused']);
    expect(findCondition(list, 'Ready')?.lastTransitionTime).toBe('2025-01-01T10:05:00Z');
    expect(findCondition(list, 'Paused')?.lastTransitionTime).toBe('2025-01-01T10:00:00Z');
    expect(isConditionTrue(list, 'Ready')).toBe(false);
    expect(removeCondition(list, 'Ready').map((c) => c.type)).toEqual(['Paused']);
  });

  it('rejects reasons the apiserver would reject', () => {
    expect(() => setCondition([], { type: 'Ready', status: 'True', reason: 'not ok', message: '' }, T0)).toThrow(InvalidConditionError);
    expect(() => setCondition([], { type: 'Ready', status: 'True', reason: '', message: '' }, T0)).toThrow(InvalidConditionError);
  });
});
