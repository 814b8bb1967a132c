import { describe, expect, it } from '@jest/globals';
import { summarise, type LeadershipSample, type OperatorPod } from './leadership.js';

function pod(name: string): OperatorPod {
  return { name, ip: '10.244.0.9', templateHash: 'h', ready: true, terminating: false };
}

function sample(atMs: number, holder: string, pods: readonly string[], leaders: readonly string[] = holder === '' ? [] : [holder]): LeadershipSample {
  return { atMs, holder, pods: pods.map(pod), leaders };
}

describe('summarise (what a run of leadership samples showed)', () => {
  it('lists the holders in turn and the longest released stretch; a released Lease is no foreign holder', () => {
    const record = summarise([
      sample(0, 'a', ['a', 'b']),
      sample(1000, '', ['a', 'b']),
      sample(2000, '', ['b', 'c']),
      sample(3000, 'b', ['b', 'c']),
      sample(4000, '', ['b', 'c']),
      sample(5000, 'c', ['c', 'd']),
    ], new Set(['a', 'b']));
    expect(record).toEqual({ samples: 6, foreignHolders: [], splitBrains: [], holders: ['a', '', 'b', '', 'c'], longestReleasedMs: 1000 });
  });

  it('names a holder that is no pod of the release, and a sample in which two pods believed they led', () => {
    const record = summarise([
      sample(0, 'a', ['a', 'b'], ['a', 'b']),
      sample(1000, 'stranger', ['a', 'b']),
    ], new Set(['a', 'b']));
    expect({ foreign: record.foreignHolders, split: record.splitBrains }).toEqual({
      foreign: [{ atMs: 1000, holder: 'stranger' }],
      split: [{ atMs: 0, leaders: ['a', 'b'] }],
    });
  });
});
