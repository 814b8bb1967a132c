import { describe, expect, it } from '@jest/globals';
import { approvalHeld, BROKEN_HOLD_MS } from './approval.js';

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
