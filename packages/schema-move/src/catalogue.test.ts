import { describe, expect, it } from '@jest/globals';
import { stateOf, type RelationKind } from './catalogue.js';
import { UnexpectedCatalogueError } from './errors.js';

const place = (legacy: RelationKind, context: RelationKind) => ({ table: 'users', legacy, context });

describe('stateOf', () => {
  it.each([
    ['table', 'view', 'before'],
    ['table', 'absent', 'before'],
    ['view', 'table', 'moved'],
    ['absent', 'table', 'moved'],
  ] as const)('public %s, context %s: %s', (legacy, context, state) => {
    expect(stateOf(place(legacy, context), 'public', 'user_service')).toBe(state);
  });

  it.each([
    ['table', 'table'],
    ['absent', 'absent'],
    ['view', 'view'],
    ['other', 'table'],
    ['table', 'other'],
  ] as const)('refuses public %s, context %s (no step leaves it)', (legacy, context) => {
    expect(() => stateOf(place(legacy, context), 'public', 'user_service')).toThrow(UnexpectedCatalogueError);
  });
});
