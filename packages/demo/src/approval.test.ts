import { describe, expect, it } from '@jest/globals';
import { approvalHeld, breakTarget, BROKEN_HOLD_MS, StageBreak } from './approval.js';
import { PLANS } from './stage-plans.js';

describe('approvalHeld', () => {
  const now = 1_000_000;

  it('never holds without --fail, before the target carries its share, or for a tampered row', () => {
    expect(approvalHeld({ fault: undefined, targetSince: now - 10, brokenAt: now - 5 }, now)).toBe(false);
    expect(approvalHeld({ fault: 'nats-link', targetSince: undefined, brokenAt: undefined }, now)).toBe(false);
    expect(approvalHeld({ fault: 'tampered-row', targetSince: now - 10, brokenAt: now - 5 }, now)).toBe(false);
  });

  it('holds from the share the demo breaks at, through the break, until the hold has passed since it', () => {
    expect(approvalHeld({ fault: 'nats-link', targetSince: now - 10, brokenAt: undefined }, now)).toBe(true);
    expect(approvalHeld({ fault: 'schema-privileges', targetSince: now - 10, brokenAt: now - BROKEN_HOLD_MS + 1 }, now)).toBe(true);
    expect(approvalHeld({ fault: 'process-kill', targetSince: now - 10, brokenAt: now - BROKEN_HOLD_MS }, now)).toBe(false);
  });
});

describe('StageBreak', () => {
  const interval = 2_000;

  it('breaks once, two analysis intervals after the target first carried 25 %, and holds the approval from that share until the hold has passed', () => {
    const stage = new StageBreak('nats-link', interval);
    expect(stage.due(5, 0)).toBe(false);
    expect(stage.holdsApproval(0)).toBe(false);
    expect(stage.due(25, 1_000)).toBe(false);
    expect(stage.holdsApproval(1_000)).toBe(true);
    expect(stage.due(30, 1_000 + 2 * interval - 1)).toBe(false);
    expect(stage.due(30, 1_000 + 2 * interval)).toBe(true);
    stage.broke(5_000);
    expect(stage.due(30, 6_000)).toBe(false);
    expect(stage.holdsApproval(5_000 + BROKEN_HOLD_MS - 1)).toBe(true);
    expect(stage.holdsApproval(5_000 + BROKEN_HOLD_MS)).toBe(false);
  });

  it('kills a process-kill target at its first share, at once', () => {
    const stage = new StageBreak('process-kill', interval);
    expect(stage.due(0, 0)).toBe(false);
    expect(stage.due(1, 10)).toBe(true);
  });

  it('breaks nothing and holds nothing for a tampered row or without --fail', () => {
    for (const stage of [new StageBreak('tampered-row', interval), new StageBreak(undefined, interval)]) {
      expect(stage.due(100, 0)).toBe(false);
      expect(stage.due(100, 60_000)).toBe(false);
      expect(stage.holdsApproval(60_000)).toBe(false);
    }
  });

  it('says the hold once', () => {
    const stage = new StageBreak('schema-privileges', interval);
    expect([stage.firstHold(), stage.firstHold(), stage.firstHold()]).toEqual([true, false, false]);
  });
});

describe('breakTarget', () => {
  it('refuses a break it has nothing set up for, rather than carrying on unbroken', async () => {
    await expect(breakTarget(PLANS[2], { cutter: undefined, ownRole: undefined, fleet: [] })).rejects.toThrow('nothing is set up to break user-service with (fault nats-link)');
  });
});
