import type { MigrationsAnswer } from '../migrations.js';
import { html, type Html } from '../html.js';
import { page, type PageFrame } from './layout.js';

/** Read-only; reloads itself every few seconds so a moving weight shows without client JavaScript. */
export function migrationsPage(frame: Pick<PageFrame, 'session'>, answer: MigrationsAnswer): Html {
  let body: Html;
  if (answer.kind === 'unconfigured') body = html`<p>This panel has no access to a Kubernetes API (no in-cluster service account and no KUBECONFIG).</p>`;
  else if (answer.kind === 'unavailable') body = html`<p class="errors" role="alert">The Kubernetes API did not answer: ${answer.reason}</p>`;
  else if (answer.items.length === 0) body = html`<p>No NovaMigrations.</p>`;
  else {
    body = html`<table>
      <caption>NovaMigrations (read-only)</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Stage</th><th scope="col">Route</th><th scope="col">Phase</th><th scope="col">Weight</th><th scope="col">Step</th><th scope="col">Last analysis</th><th scope="col">Message</th></tr></thead>
      <tbody>${answer.items.map((m) => html`<tr>
        <td>${m.namespace}/${m.name}</td><td>${m.stage ?? '—'}</td><td>${m.route}</td><td>${m.phase}</td>
        <td>${m.weight === undefined ? '—' : `${String(m.weight)} %`}</td><td>${m.step}</td><td>${m.analysis}</td><td>${m.message ?? ''}</td>
      </tr>`)}</tbody></table>`;
  }
  return page({ ...frame, title: 'Migrations', section: 'migrations', refreshSeconds: 5 }, html`<h1>Migrations</h1>${body}`);
}
