import { LIVE_FIELDS, migrationRow, type MigrationRow, type MigrationsAnswer } from '../migrations.js';
import { html, type Html } from '../html.js';
import { BASE, page, type PageFrame } from './layout.js';

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
 * Read-only. With script, the table's cells change in place from the event stream and a phase
 * change is announced (aria-live); without it, the page reloads itself every few seconds.
 */
export function migrationsPage(frame: Pick<PageFrame, 'session'>, answer: MigrationsAnswer): Html {
  if (answer.kind !== 'listed') {
    const body = answer.kind === 'unconfigured'
      ? html`<p>This panel has no access to a Kubernetes API (no in-cluster service account and no KUBECONFIG).</p>`
      : html`<p class="errors" role="alert">The Kubernetes API did not answer: ${answer.reason}</p>`;
    return page({ ...frame, title: 'Migrations', section: 'migrations', refreshSeconds: RELOAD_SECONDS }, html`<h1>Migrations</h1>${body}`);
  }
  const table = answer.items.length === 0
    ? html`<p>No NovaMigrations.</p>`
    : html`<table>
      <caption>NovaMigrations (read-only)</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Stage</th><th scope="col">Route</th><th scope="col">Phase</th><th scope="col">Weight</th><th scope="col">Step</th><th scope="col">Last analysis</th><th scope="col">Message</th></tr></thead>
      <tbody>${answer.items.map((item) => rowHtml(migrationRow(item)))}</tbody></table>`;
  return page(
    { ...frame, title: 'Migrations', section: 'migrations', refreshSeconds: RELOAD_SECONDS, script: MIGRATIONS_SCRIPT_PATH },
    html`<h1>Migrations</h1>
    <section id="migrations" data-events="${MIGRATION_EVENTS_PATH}">${table}</section>
    <p id="migrations-live" class="visually-hidden" aria-live="polite"></p>`,
  );
}
