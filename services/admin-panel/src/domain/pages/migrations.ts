import { LIVE_FIELDS, migrationRow, type MigrationRow, type MigrationsAnswer } from '../migrations.js';
import { html, type Html } from '../html.js';
import { words } from '../texts.js';
import { BASE, page, type Frame } from './layout.js';

/** Where an open page's changes stream from, and the script that applies them. */
export const MIGRATION_EVENTS_PATH = `${BASE}migrations/events`;
export const MIGRATIONS_SCRIPT_PATH = `${BASE}assets/migrations.js`;
const RELOAD_SECONDS = 5;

function rowHtml(row: MigrationRow): Html {
  const cell = (field: (typeof LIVE_FIELDS)[number]): Html => html`<td data-field="${field}">${row[field]}</td>`;
  return html`<tr data-key="${row.key}">
        <td>${row.name}</td><td>${row.stage}</td><td>${row.route}</td>${LIVE_FIELDS.map(cell)}
      </tr>`;
}

/**
 * How the script words a phase change in the page's language: the catalogue's message with
 * {name}, {from} and {to} left for the script to fill (the event stream is the same for every
 * page, so it carries no words).
 */
export const PHASE_CHANGE_FIELDS = { name: '{name}', from: '{from}', to: '{to}' } as const;

/**
 * Read-only. With script, the table's cells change in place from the event stream and a phase
 * change is announced (aria-live); without it, the page reloads itself every few seconds.
 */
export function migrationsPage(frame: Frame, answer: MigrationsAnswer): Html {
  const { t } = words(frame.locale);
  const title = t('migrations-title');
  if (answer.kind !== 'listed') {
    const body = answer.kind === 'unconfigured'
      ? html`<p>${t('no-kubernetes')}</p>`
      : html`<p class="errors" role="alert">${answer.status === undefined ? t('kubernetes-silent') : t('kubernetes-refused', { status: String(answer.status) })}</p>`;
    return page({ ...frame, title, section: 'migrations', refreshSeconds: RELOAD_SECONDS }, html`<h1>${title}</h1>${body}`);
  }
  const table = answer.items.length === 0
    ? html`<p>${t('no-migrations')}</p>`
    : html`<table>
      <caption>${t('migrations-caption')}</caption>
      <thead><tr><th scope="col">${t('col-name')}</th><th scope="col">${t('col-stage')}</th><th scope="col">${t('col-route')}</th><th scope="col">${t('col-phase')}</th><th scope="col">${t('col-weight')}</th><th scope="col">${t('col-step')}</th><th scope="col">${t('col-last-analysis')}</th><th scope="col">${t('col-message')}</th></tr></thead>
      <tbody>${answer.items.map((item) => rowHtml(migrationRow(item)))}</tbody></table>`;
  return page(
    { ...frame, title, section: 'migrations', refreshSeconds: RELOAD_SECONDS, script: MIGRATIONS_SCRIPT_PATH },
    html`<h1>${title}</h1>
    <section id="migrations" data-events="${MIGRATION_EVENTS_PATH}">${table}</section>
    <p id="migrations-live" class="visually-hidden" aria-live="polite" data-phase-changed="${t('phase-changed', PHASE_CHANGE_FIELDS)}"></p>`,
  );
}
