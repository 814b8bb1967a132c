import { describe, expect, it } from '@jest/globals';
import { unreadyPods } from './cluster-tools.js';

describe('unreadyPods (whose logs a failed helm --wait prints)', () => {
  const pod = (name: string, conditions?: { type: string; status: string }[]) => ({
    metadata: { name, namespace: 'nova' },
    ...(conditions === undefined ? {} : { status: { conditions } }),
  });

  it('names a pod whose Ready condition is False or absent, and no Ready pod', () => {
    const list = {
      items: [
        pod('ready', [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }]),
        pod('crashing', [{ type: 'Ready', status: 'False' }]),
        pod('pending-no-conditions'),
        pod('scheduled-only', [{ type: 'PodScheduled', status: 'True' }]),
      ],
    };
    expect(unreadyPods(list).map((p) => p.name)).toEqual(['crashing', 'pending-no-conditions', 'scheduled-only']);
  });
});
