import { describe, expect, it } from '@jest/globals';
import { migrationRow, MigrationTable, rowChanged, type MigrationView } from './migrations.js';
import { MIGRATIONS_SCRIPT } from './migrations-script.js';
import { migrationsPage } from './pages/migrations.js';

const admin = { admin: { adminId: 1n, name: '@boss', sid: 's', expiresAt: new Date(0) }, csrf: 'c' };
const en = { session: admin, locale: 'en', here: '/admin/migrations' } as const;
const ru = { ...en, locale: 'ru' } as const;

function view(overrides: Partial<MigrationView> = {}): MigrationView {
  return { name: 'stage-8-admin-panel', namespace: 'nova', stage: '8', route: 'admin.example/admin/', phase: 'Progressing', weight: 5, step: 'setWeight 5', analysis: '—', message: undefined, ...overrides };
}

describe('a migration row', () => {
  it('is the text the page shows: weight in percent, dashes for what is unknown, the key namespace/name', () => {
    expect(migrationRow(view())).toEqual({ key: 'nova/stage-8-admin-panel', name: 'nova/stage-8-admin-panel', stage: '8', route: 'admin.example/admin/', phase: 'Progressing', weight: '5 %', step: 'setWeight 5', analysis: '—', message: '' });
    expect(migrationRow(view({ weight: undefined, stage: undefined, message: 'paused' }))).toMatchObject({ weight: '—', stage: '—', message: 'paused' });
  });

  it('changes only when a shown cell does', () => {
    expect(rowChanged(undefined, migrationRow(view()))).toBe(true);
    expect(rowChanged(migrationRow(view()), migrationRow(view()))).toBe(false);
    expect(rowChanged(migrationRow(view()), migrationRow(view({ weight: 25 })))).toBe(true);
    expect(rowChanged(migrationRow(view()), migrationRow(view({ message: 'x' })))).toBe(true);
  });

  it('renders with the cells the script finds (data-key, data-field), escaped', () => {
    const text = migrationsPage(en, { kind: 'listed', items: [view({ message: '<b>"x"</b>' })] }).text;
    expect(text).toContain('<tr data-key="nova/stage-8-admin-panel">');
    expect(text).toContain('<td data-field="weight">5 %</td>');
    expect(text).toContain('<td data-field="message">&lt;b&gt;&quot;x&quot;&lt;/b&gt;</td>');
    // With script the page is live; the reload is only for browsers without it.
    expect(text).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(text).toContain('<script src="/admin/assets/migrations.js" defer></script>');
    expect(text).toContain('data-events="/admin/migrations/events"');
    expect(text).toContain('aria-live="polite"');
    expect(text).not.toMatch(/<script>/);
  });

  it('has one small script, which writes text and never markup', () => {
    expect(Buffer.byteLength(MIGRATIONS_SCRIPT)).toBeLessThan(4 * 1024);
    expect(MIGRATIONS_SCRIPT).toContain('textContent');
    expect(MIGRATIONS_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it('hands the script the words of a phase change in the page\'s language, the same rows in both', () => {
    const items = [view()];
    const [english, russian] = [en, ru].map((frame) => migrationsPage(frame, { kind: 'listed', items }).text);
    expect(english).toContain('data-phase-changed="{name}: {from} → {to}"');
    expect(russian).toContain('data-phase-changed="{name}: фаза {from} → {to}"');
    expect(russian).toContain('<th scope="col">Фаза</th>');
    const rows = (page: string | undefined): string => (page ?? '').slice((page ?? '').indexOf('<tbody>'), (page ?? '').indexOf('</tbody>'));
    expect(rows(russian)).toBe(rows(english));
  });

  it('says why there is no table: no API, or the API refused with its status', () => {
    expect(migrationsPage(ru, { kind: 'unconfigured' }).text).toContain('У панели нет доступа к API Kubernetes');
    expect(migrationsPage(en, { kind: 'unavailable', status: 403 }).text).toContain('The Kubernetes API did not answer: HTTP 403');
    expect(migrationsPage(ru, { kind: 'unavailable' }).text).toContain('API Kubernetes не ответил.');
  });

  it('without an API to watch, reloads with no script at all', () => {
    const text = migrationsPage(en, { kind: 'unconfigured' }).text;
    expect(text).toMatch(/<meta http-equiv="refresh" content="5">/);
    expect(text).not.toContain('<noscript>');
    expect(text).not.toContain('<script');
  });
});

describe('MigrationTable', () => {
  it('turns a listing into rows, then only real changes; a relist reports what changed and what went meanwhile', () => {
    const table = new MigrationTable();
    const other = view({ name: 'stage-6', stage: '6' });
    expect(table.replace([view(), other]).map((change) => change.kind)).toEqual(['row', 'row']);
    // The operator rewrites its status on every reconcile: the same text is no change.
    expect(table.upsert(view())).toBeUndefined();
    expect(table.upsert(view({ weight: 25 }))).toEqual({ kind: 'row', row: migrationRow(view({ weight: 25 })) });
    expect(table.replace([view({ weight: 50 })])).toEqual([
      { kind: 'row', row: migrationRow(view({ weight: 50 })) },
      { kind: 'gone', key: 'nova/stage-6' },
    ]);
    expect(table.snapshot()).toEqual([migrationRow(view({ weight: 50 }))]);
    expect(table.remove(view())).toEqual({ kind: 'gone', key: 'nova/stage-8-admin-panel' });
    expect(table.remove(view())).toBeUndefined();
  });
});
