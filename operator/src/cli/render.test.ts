import { describe, expect, it } from '@jest/globals';
import type { NovaMigration } from '../api/novamigration.js';
import { page, summarize, table } from './render.js';

const migration: NovaMigration = {
  metadata: { namespace: 'nova', name: 'stage-7-database' },
  spec: {
    database: {
      legacySchema: 'public',
      lockTimeout: '50ms',
      retries: 20,
      contexts: [{ name: 'user', schema: 'user_service', tables: ['users'] }, { name: 'bot', schema: 'bot_service', tables: ['user_bots'] }],
    },
    steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { pause: {} }, { moveSchema: { context: 'bot' } }],
    paused: false,
    onDelete: 'restoreLegacy',
  },
  status: {
    phase: 'Paused',
    currentStep: 2,
    stepLabel: '3/4 pause (approval)',
    database: {
      run: 0,
      backup: { state: 'Done', path: '/backups/nova.dump', bytes: 65079, sha256: 'b84b', tookMs: 2062 },
      contexts: [{ name: 'user', schema: 'user_service', state: 'Moved', tookMs: 429, lockedMs: 12.3, rowsChecked: 25 }],
    },
  },
};

describe('kubectl nova on a database migration', () => {
  it('shows contexts moved in the table\'s WEIGHT column', () => {
    const [, row] = table([migration], false).split('\n');
    expect(row?.split(/\s{3,}/u).slice(0, 4)).toEqual(['stage-7-database', 'Paused', '1/2 moved', '3/4 pause (approval)']);
  });

  it('shows the tables, the backup and each context on its page, and the record in JSON', () => {
    const text = page(migration);
    expect(text).toContain('users -> user_service; user_bots -> bot_service (from public)');
    expect(text).toContain('/backups/nova.dump, 65079 bytes, sha256 b84b in 2.1 s');
    expect(text).toMatch(/user:\s+Moved \(user_service\) in 0\.4 s, locks held 12 ms, 25 rows checked/u);
    expect(text).not.toContain('Weight');
    expect(summarize(migration).database).toEqual(migration.status?.database);
  });
});
