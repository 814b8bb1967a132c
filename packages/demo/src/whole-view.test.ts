import { describe, expect, it } from '@jest/globals';
import { databaseFigures } from './database-progress.js';
import { changedLines, renderWholeLive, stageLine, STAGE_HEADER, type StageRow, type WholeSnapshot } from './whole-view.js';

const longest: StageRow = {
  stage: 5, migration: 'stage-5-payment-callbacks', weight: 100,
  status: {
    phase: 'Progressing', stepLabel: '10/11 pause (approval)', weight: 100, message: 'a long message that must not reach the line',
    analysis: { summary: 'Failed', legacy: { requests: 1, errorRate: 1, p95LatencyMs: 123_456 }, target: { requests: 1, errorRate: 1, p95LatencyMs: 99_999 } },
  },
};

function snapshot(rows: readonly StageRow[]): WholeSnapshot {
  return {
    at: 125_000, startedAt: 0, rows, failStage: 4,
    traffic: {
      sent: 123_456, answered: 123_450, duplicates: 0, refusedDeliveries: 12,
      payments: { cryptobot: 1_000, platega: 999, announced: 1_999, withoutLink: 3 },
      posts: { created: 9_999, scheduled: 3_333, published: 9_999, reported: 9_999, doubled: 0 },
      admin: { pages: 5_000, served: 4_990, failed: 10, signedOut: 0, other: 0, reloaded: 2, failures: ['503 /admin/users/61001', 'fetch failed: other side closed'] },
    },
    reminders: { expected: 1_234, received: 1_230, doubled: 12_345, missing: [], missingCount: 4, unexpected: 99_999 },
    notes: ['12:00:01 ⚠ AnalysisFailed: check failed (1/2): error rate 31.99% > maxErrorRate 0.10%; 40 target requests, legacy error rate 0.00% and more words'],
  };
}

describe('the whole plan\'s live view', () => {
  it('gives each migration one line of fixed columns (phase, weight, step, both sides\' last check) within 80 columns', () => {
    const line = stageLine(longest);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line).toBe('5 payment-callbac Progressing 100% 10/11 pause (appro 100.0% 12345 100.0% 99999');
    expect(stageLine({ stage: 1, migration: 'stage-1-webhook-gateway', weight: 25, status: { phase: 'Paused', stepLabel: '5/11 pause 3s', analysis: { legacy: { errorRate: 0, p95LatencyMs: 6.4 }, target: { errorRate: 0.0012, p95LatencyMs: 7 } } } }))
      .toBe('1 webhook-gateway Paused       25% 5/11 pause 3s      0.0% 6ms     0.1% 7ms');
    expect(stageLine({ stage: 6, migration: 'stage-6-notifications', weight: 0, status: {} })).toBe('6 notifications   Pending       0% -                  -            -');
    expect(STAGE_HEADER.length).toBeLessThanOrEqual(80);
  });

  it('draws every line within 80 columns, the counts and the events cut', () => {
    const view = renderWholeLive(snapshot([longest, { ...longest, stage: 7, migration: 'stage-7-database' }]));
    const lines = view.slice('\u001b[H\u001b[2J'.length).split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(lines[0]).toMatch(/^Nova demo — the whole plan, stages 1 to 8 \(--fail 4\) +02:05$/u);
    expect(lines).toContain('5 payment-callbac Progressing 100% 10/11 pause (appro 100.0% 12345 100.0% 99999');
    expect(lines).toContain('reminder 1234 due so far, 1230 received, 12345 doubled, 99999 unexpected');
  });

  it('puts stage 7\'s backup and contexts under its line once it started, within 80 columns', () => {
    const backup = { state: 'Done' as const, bytes: 408_827, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', tookMs: 717, path: '/var/lib/nova/backups/stage-7-database.dump' };
    const status: StageRow['status'] = { phase: 'Progressing', stepLabel: '5/14 moveSchema bot', database: { backup, contexts: [{ name: 'user', state: 'Moved', tookMs: 600, lockedMs: 153, rowsChecked: 11 }, { name: 'bot', state: 'Moving' }] } };
    const view = renderWholeLive({ ...snapshot([{ stage: 7, migration: 'stage-7-database', weight: 25, status }, { stage: 8, migration: 'stage-8-admin-panel', weight: 0, status: {} }]), database: databaseFigures(status, 4) });
    const lines = view.slice('\u001b[H\u001b[2J'.length).split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    const at = lines.findIndex((l) => l.startsWith('7 database'));
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  backup    408827 bytes in 0.7 s, sha256 e3b0c44298fc1c14…',
      '  user      Moved      0.6 s, locks  153 ms, 11 rows checked',
      '  bot       Moving         -, locks    0 ms, 0 rows checked',
      '8 admin-panel     Pending       0% -                  -            -',
    ]);
  });

  it('says stage 7 has no backup yet before its first step stored one', () => {
    const status: StageRow['status'] = { phase: 'Progressing', stepLabel: '1/14 backup', database: { contexts: [] } };
    const lines = renderWholeLive({ ...snapshot([{ stage: 7, migration: 'stage-7-database', weight: 0, status }]), database: databaseFigures(status, 4) }).split('\n');
    expect(lines[lines.findIndex((l) => l.startsWith('7 database')) + 1]).toBe('  backup    no backup yet');
  });

  it('--no-live: a line for a migration only when its phase, step or weight changed', () => {
    const seen = new Map<string, string>();
    const first = snapshot([longest, { stage: 1, migration: 'stage-1-webhook-gateway', weight: 0, status: {} }]);
    expect(changedLines(first, seen)).toHaveLength(2);
    expect(changedLines(first, seen)).toEqual([]);
    const moved = snapshot([longest, { stage: 1, migration: 'stage-1-webhook-gateway', weight: 5, status: { phase: 'Progressing', stepLabel: '1/11 setWeight 5', weight: 5 } }]);
    expect(changedLines(moved, seen)).toEqual(['[02:05] 1 webhook-gateway Progressing   5% 1/11 setWeight 5   -            -']);
  });
});
