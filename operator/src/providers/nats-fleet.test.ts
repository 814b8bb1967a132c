import { describe, expect, it } from '@jest/globals';
import type { AppliedRecord } from '@nova/contracts';
import { missingTargetHandler } from './nats-fleet.js';

const record = (process: string, side: 'legacy' | 'target', handles?: boolean): AppliedRecord => ({ process, side, revision: 3, weight: 25, at: '2026-12-03T07:00:00.000Z', ...(handles === undefined ? {} : { handles }) });

describe('missingTargetHandler', () => {
  it('is satisfied by one live target process that handles the context', () => {
    expect(missingTargetHandler([record('monolith', 'legacy', true), record('gateway', 'target', false), record('bot-service', 'target', true)], 'bot')).toBeUndefined();
  });

  it('names the context when the target processes only route to it, or none is live', () => {
    expect(missingTargetHandler([record('monolith', 'legacy', true), record('gateway', 'target', false)], 'bot')).toBe(
      'no live process of the target handles the bot context (live target processes: gateway; a handler that died or lost NATS stops renewing its record)',
    );
    expect(missingTargetHandler([record('monolith', 'legacy', true)], 'user')).toMatch(/handles the user context \(live target processes: none;/u);
  });

  it('claims nothing where no record says (processes older than the field), or there are no records', () => {
    expect(missingTargetHandler([record('monolith', 'legacy'), record('gateway', 'target')], 'bot')).toBeUndefined();
    expect(missingTargetHandler([], 'bot')).toBeUndefined();
  });
});
