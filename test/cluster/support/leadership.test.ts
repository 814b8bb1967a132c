import { describe, expect, it } from '@jest/globals';
import { LeadershipSampler, summarise, type LeadershipSample, type OperatorPod } from './leadership.js';

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

// The node is not started here (a unit test: the real reads are test/cluster/node.test.ts's); these
// stand-ins answer kubectl and the shell in the node with the text they print, to check the parsing.
describe('LeadershipSampler.sample (the Lease, the pods and their gauges, read twice)', () => {
  function sampler(gaugeLines: readonly string[]): { sampler: LeadershipSampler; shellArgs: string[][] } {
    const shellArgs: string[][] = [];
    const pods = {
      items: [
        { metadata: { name: 'op-a', labels: { 'pod-template-hash': 'old' } }, status: { podIP: '10.244.0.5', conditions: [{ type: 'Ready', status: 'True' }] } },
        { metadata: { name: 'op-b', labels: { 'pod-template-hash': 'new' }, deletionTimestamp: '2026-12-05T13:00:00Z' }, status: { podIP: '10.244.0.6' } },
        { metadata: { name: 'op-c', labels: { 'pod-template-hash': 'new' } }, status: {} },
      ],
    };
    const node = {
      kubectl: (args: readonly string[]) => Promise.resolve(JSON.stringify(args.includes('lease') ? { spec: { holderIdentity: 'op-a' } } : pods)),
      runInNode: (_command: string, args: readonly string[]) => { shellArgs.push([...args]); return Promise.resolve(`${gaugeLines.join('\n')}\n`); },
    };
    return { sampler: new LeadershipSampler(node), shellArgs };
  }

  it('reads pods with an address in order then in reverse, and counts a leader only when both passes read 1', async () => {
    const { sampler: leadership, shellArgs } = sampler(['10.244.0.5 1', '10.244.0.6 1', '10.244.0.6 0', '10.244.0.5 1']);
    const sample = await leadership.sample();
    expect(shellArgs[0]?.slice(2)).toEqual(['sh', '10.244.0.5', '10.244.0.6', '10.244.0.6', '10.244.0.5']);
    expect({ holder: sample.holder, leaders: sample.leaders, pods: sample.pods }).toEqual({
      holder: 'op-a',
      leaders: ['op-a'],
      pods: [
        { name: 'op-a', ip: '10.244.0.5', templateHash: 'old', ready: true, terminating: false },
        { name: 'op-b', ip: '10.244.0.6', templateHash: 'new', ready: false, terminating: true },
        { name: 'op-c', ip: '', templateHash: 'new', ready: false, terminating: false },
      ],
    });
  });

  it('names two leaders when both read 1 in both passes; a pod that did not answer is no leader', async () => {
    const both = await sampler(['10.244.0.5 1', '10.244.0.6 1', '10.244.0.6 1', '10.244.0.5 1']).sampler.sample();
    expect(both.leaders).toEqual(['op-a', 'op-b']);
    const silent = await sampler(['10.244.0.5 none', '10.244.0.6 0', '10.244.0.6 0', '10.244.0.5 none']).sampler.sample();
    expect(silent.leaders).toEqual([]);
  });
});
