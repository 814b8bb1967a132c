import { html, type Html, type HtmlValue } from '../html.js';
import type { AdminSession } from '../session.js';

export const BASE = '/admin/';

export interface PageFrame {
  readonly title: string;
  /** The signed-in admin and their CSRF token; absent on the sign-in and error pages before sign-in. */
  readonly session?: { readonly admin: AdminSession; readonly csrf: string };
  /** Which navigation entry is this page. */
  readonly section?: 'numbers' | 'users' | 'broadcast' | 'audit' | 'migrations';
  /** Seconds between reloads (a live page without client JavaScript). */
  readonly refreshSeconds?: number;
  /**
   * A script of the panel's own (served under assets/) that keeps the page live instead; the
   * reload is then inside <noscript>, so it applies only where scripts do not run.
   */
  readonly script?: string;
  readonly notice?: string;
}

const NAV: readonly { readonly section: NonNullable<PageFrame['section']>; readonly href: string; readonly label: string }[] = [
  { section: 'numbers', href: BASE, label: 'Numbers' },
  { section: 'users', href: `${BASE}users`, label: 'Users' },
  { section: 'broadcast', href: `${BASE}broadcast`, label: 'Broadcast' },
  { section: 'audit', href: `${BASE}audit`, label: 'Audit log' },
  { section: 'migrations', href: `${BASE}migrations`, label: 'Migrations' },
];

/** The hidden field every form that changes something carries. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/** A whole page: one small stylesheet and no script unless `frame.script`, usable on a phone and by keyboard. */
export function page(frame: PageFrame, body: HtmlValue): Html {
  const nav = frame.session === undefined ? '' : html`
  <nav aria-label="Main">
    <ul>${NAV.map((entry) => html`<li><a href="${entry.href}"${entry.section === frame.section ? html` aria-current="page"` : ''}>${entry.label}</a></li>`)}</ul>
    <form method="post" action="${BASE}sign-out" class="inline">${csrfField(frame.session.csrf)}<button type="submit">Sign out ${frame.session.admin.name}</button></form>
  </nav>`;
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  ${refresh(frame)}
  <title>${frame.title} · Nova admin</title>
  <link rel="stylesheet" href="${BASE}assets/admin.css">
  ${frame.script === undefined ? '' : html`<script src="${frame.script}" defer></script>`}
</head>
<body>
  <a class="skip" href="#main">Skip to content</a>
  <header><strong class="brand">Nova admin</strong>${nav}</header>
  <main id="main" tabindex="-1">
    ${frame.notice === undefined ? '' : html`<p class="notice" role="status">${frame.notice}</p>`}
    ${body}
  </main>
</body>
</html>
`;
}

function refresh(frame: PageFrame): Html | string {
  if (frame.refreshSeconds === undefined) return '';
  const meta = html`<meta http-equiv="refresh" content="${frame.refreshSeconds}">`;
  return frame.script === undefined ? meta : html`<noscript>${meta}</noscript>`;
}

export function formatDate(date: Date | undefined): string {
  if (date === undefined || Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The error under a field, tied to it with aria-describedby. */
export function fieldError(id: string, message: string | undefined): Html {
  return message === undefined ? html`` : html`<p class="field-error" id="${id}-error">${message}</p>`;
}

export function describedBy(id: string, message: string | undefined): Html {
  return message === undefined ? html`` : html` aria-invalid="true" aria-describedby="${id}-error"`;
}
