import { describe, expect, it } from '@jest/globals';
import { contextLine, databaseFigures, databaseFinished, movedShare, swapsOf } from './database-progress.js';

const moved = (name: string, lockedMs: number, rowsChecked: number) => ({ name, schema: `${name}_service`, state: 'Moved' as const, tookMs: 900, lockedMs, rowsChecked });

describe('stage 7 as the demo shows it', () => {
  it('reads the share of contexts moved as the weight: 0, 50, 100, and 0 again once reversed', () => {
    expect(movedShare({}, 4)).toBe(0);
    expect(movedShare({ database: { contexts: [moved('user', 3, 10), moved('bot', 4, 1)] } }, 4)).toBe(50);
    expect(movedShare({ database: { contexts: ['user', 'bot', 'publisher', 'payment'].map((name) => moved(name, 1, 1)) } }, 4)).toBe(100);
    expect(movedShare({ database: { contexts: [{ name: 'user', state: 'Reversed' }] } }, 4)).toBe(0);
  });

  it('is over when Promoted, or rolled back with nothing left to reverse and no restore running', () => {
    expect(databaseFinished({ phase: 'Promoted' })).toBe(true);
    expect(databaseFinished({ phase: 'Progressing' })).toBe(false);
    expect(databaseFinished({ phase: 'RolledBack', database: { contexts: [{ name: 'user', state: 'Moved' }, { name: 'bot', state: 'Reversed' }] } })).toBe(false);
    expect(databaseFinished({ phase: 'RolledBack', database: { contexts: [{ name: 'user', state: 'Reversed' }], restore: { state: 'Running' } } })).toBe(false);
    expect(databaseFinished({ phase: 'RolledBack', database: { contexts: [{ name: 'user', state: 'Reversed' }, { name: 'bot', state: 'Reversed' }] } })).toBe(true);
  });

  it('gives the report the backup, each context, the rows checked and the longest lock held', () => {
    const figures = databaseFigures({ database: { backup: { state: 'Done', bytes: 4096, sha256: 'ab', tookMs: 300, path: '/b/x.dump' }, contexts: [moved('user', 12.4, 25), moved('bot', 40.6, 3)] } }, 4);
    expect(figures).toEqual({
      planned: 4,
      backup: { bytes: 4096, sha256: 'ab', tookMs: 300, path: '/b/x.dump' },
      contexts: [
        { context: 'user', schema: 'user_service', state: 'Moved', tookMs: 900, lockedMs: 12, rowsChecked: 25 },
        { context: 'bot', schema: 'bot_service', state: 'Moved', tookMs: 900, lockedMs: 41, rowsChecked: 3 },
      ],
      longestLockMs: 41,
      rowsChecked: 28,
    });
    expect(databaseFigures({}, 4)).toEqual({ planned: 4, contexts: [], longestLockMs: 0, rowsChecked: 0 });
  });
});

describe('the swaps, from the operator\'s Events', () => {
  it('keeps a move and the reverse of the same context apart, and a failed verification\'s move-and-reverse, in time order', () => {
    const event = (at: number, reason: string, note: string) => ({ at, type: 'Normal', reason, note });
    expect(swapsOf([
      event(3_000, 'ContextReversed', 'user: tables back in public from user_service, verified in 1.1 s, locks held 64 ms, 11 rows checked'),
      event(1_000, 'ContextMoved', 'user: tables moved into user_service and verified in 0.9 s, locks held 84 ms, 11 rows checked'),
      event(2_000, 'VerificationFailed', 'payment: the verification of payment_service failed (payments changed during the swap); nova-schema-move reversed it after 1.1 s'),
      event(2_500, 'StepCompleted', 'step 2/14 moveSchema user completed; now 3/14 pause 3s'),
    ])).toEqual([
      { swap: 'user moved', endedAt: 1_000, tookMs: 900, lockedMs: 84 },
      { swap: 'payment moved and reversed (verification failed)', endedAt: 2_000, tookMs: 1_100 },
      { swap: 'user reversed', endedAt: 3_000, tookMs: 1_100, lockedMs: 64 },
    ]);
  });
});

describe('a context\'s line', () => {
  it('fits 80 columns after the view\'s 11-column indent, even with a long state and large figures', () => {
    const line = contextLine({ context: 'publisher', schema: 'publisher_service', state: 'Reversing', tookMs: 123_456, lockedMs: 9_999, rowsChecked: 12_345_678 });
    expect(line).toBe('publisher Reversing 123.5 s, locks 9999 ms, 12345678 rows checked');
    expect(11 + line.length).toBeLessThanOrEqual(80);
  });
});
