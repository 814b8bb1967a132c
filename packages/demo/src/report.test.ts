import { describe, expect, it } from '@jest/globals';
import { stepTimings } from './report.js';
import { percentile } from './write-probe.js';

const event = (at: number, reason: string, note: string) => ({ at, type: 'Normal', reason, note });

describe('the report of stage 7', () => {
  it('gives each step the share of contexts moved once it is done (ContextMoved, ContextReversed), not a traffic weight', () => {
    const events = [
      event(0, 'Started', 'database migration started at 1/4 backup'),
      event(1_000, 'StepCompleted', 'step 1/4 backup completed; now 2/4 moveSchema user'),
      event(1_500, 'ContextMoved', 'user: tables moved into user_service and verified in 0.5 s, locks held 12 ms, 3 rows checked'),
      event(1_600, 'StepCompleted', 'step 2/4 moveSchema user completed; now 3/4 moveSchema bot'),
      event(2_000, 'RolledBack', 'rolled back: the verification of bot_service failed'),
      event(2_500, 'ContextReversed', 'user: tables back in public from user_service, verified in 0.4 s, locks held 9 ms, 3 rows checked'),
    ];
    expect(stepTimings(events, 3_000, 2)).toEqual([
      { step: '1/4 backup', weight: 0, seconds: 1 },
      { step: '2/4 moveSchema user', weight: 50, seconds: 0.6 },
      { step: '3/4 moveSchema bot (rolled back)', weight: 50, seconds: 0.4 },
    ]);
  });

  it('takes the nearest-rank percentile of the swaps\' stalls', () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([5, 1, 9, 3], 99)).toBe(9);
    expect(percentile([5, 1, 9, 3], 50)).toBe(3);
  });
});
