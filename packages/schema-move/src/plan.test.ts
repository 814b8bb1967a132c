import { describe, expect, it } from '@jest/globals';
import { InvalidMovePlanError } from './errors.js';
import { parsePlan, STAGE_7_CONTEXTS, validatePlan } from './plan.js';

describe('move plan', () => {
  it('accepts the plan of stage 7 with logins', () => {
    const plan = { legacyRole: 'legacy', contexts: STAGE_7_CONTEXTS.map((c) => ({ ...c, role: `${c.schema}_login` })) };
    expect(validatePlan(plan)).toBe(plan);
    expect(parsePlan(JSON.stringify(plan))).toEqual(plan);
  });

  it.each([
    ['a name that would need quoting', { contexts: [{ schema: 'user_service', tables: ['users; drop table x'] }] }],
    ['a table listed twice', { contexts: [{ schema: 'a', tables: ['t'] }, { schema: 'b', tables: ['t'] }] }],
    ['a schema listed twice', { contexts: [{ schema: 'a', tables: ['t'] }, { schema: 'a', tables: ['u'] }] }],
    ['the legacy schema as a context', { contexts: [{ schema: 'public', tables: ['t'] }] }],
    ['no context', { contexts: [] }],
    ['a context without tables', { contexts: [{ schema: 'a', tables: [] }] }],
  ])('refuses %s', (_what, plan) => {
    expect(() => validatePlan(plan)).toThrow(InvalidMovePlanError);
  });

  it('refuses JSON that is not a plan', () => {
    expect(() => parsePlan('{')).toThrow(InvalidMovePlanError);
    expect(() => parsePlan('{"contexts":[{"schema":"a"}]}')).toThrow(InvalidMovePlanError);
  });
});
