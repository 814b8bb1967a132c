import { describe, expect, it } from '@jest/globals';
import { databaseFigures } from './database-progress.js';
import type { Snapshot } from './snapshot.js';
import { renderLive } from './view.js';

describe('the live view', () => {
  it('draws stage 7 within 80 columns: the share of contexts moved, the backup, a line per context, the traffic on two lines', () => {
    const status: Snapshot['status'] = {
      phase: 'Progressing', stepLabel: '8/14 moveSchema publisher', weight: 50, message: 'moving the tables',
      analysis: { summary: 'Passed: errors 0.00%, p95 972 ms, 260 requests', passes: 5, failures: 0, inconclusive: 0, errors: 0, target: { requests: 260, errorRate: 0, p95LatencyMs: 972 } },
      database: { backup: { state: 'Done', bytes: 79_410, sha256: '2c3a12ee23c12562aa', tookMs: 3_200 }, contexts: [{ name: 'user', state: 'Moved', tookMs: 1_400, lockedMs: 173, rowsChecked: 11 }, { name: 'publisher', state: 'Moving' }] },
    };
    const view = renderLive({
      at: 30_000, startedAt: 0, migration: 'stage-7-database', route: 'the legacy tables', legacy: 'schema public', target: "the contexts' schemas", status,
      database: databaseFigures(status, 4), traffic: { sent: 12_345, answered: 12_340, duplicates: 0, refusedDeliveries: 17 }, transitions: [], events: [], notes: [], also: [],
    });
    const clear = '\u001b[H\u001b[2J';
    expect(view.startsWith(clear)).toBe(true);
    const lines = view.slice(clear.length).split('\n');
    // Columns: every character drawn here (the bar's blocks included) is one UTF-16 unit and one column.
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(lines).toEqual(expect.arrayContaining([
      '  moves    the legacy tables from schema public to the contexts\' schemas',
      `  moved    ${'█'.repeat(10)}${'░'.repeat(10)} 50% of the contexts in their own schema`,
      '           user      Moved      1.4 s, locks  173 ms, 11 rows checked',
      '           publisher Moving         -, locks    0 ms, 0 rows checked',
    ]));
  });
});
