import type { Locale } from '@nova/i18n';
import { BASE } from '../base.js';
import { html, type Html, type HtmlValue } from '../html.js';
import { languageSwitchHref } from '../language.js';
import type { AdminSession } from '../session.js';
import { words, type Say } from '../texts.js';

export { BASE };

/** What every page knows of the request: its language, and the page to return to after switching it. */
export interface Visit {
  readonly locale: Locale;
  /** This page as a GET path of the panel (the language switch comes back to it). */
  readonly here: string;
}

export interface PageFrame extends Visit {
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

/** What a page function is handed: the visit and, once signed in, the session. */
export type Frame = Pick<PageFrame, 'session' | 'locale' | 'here'>;

const NAV: readonly { readonly section: NonNullable<PageFrame['section']>; readonly href: string; readonly label: (t: Say) => string }[] = [
  { section: 'numbers', href: BASE, label: (t) => t('nav-numbers') },
  { section: 'users', href: `${BASE}users`, label: (t) => t('nav-users') },
  { section: 'broadcast', href: `${BASE}broadcast`, label: (t) => t('nav-broadcast') },
  { section: 'audit', href: `${BASE}audit`, label: (t) => t('nav-audit') },
  { section: 'migrations', href: `${BASE}migrations`, label: (t) => t('nav-migrations') },
];

/** The hidden field every form that changes something carries. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/**
 * The other language, as a plain link named in its own language: no script and no form, so it
 * works on the sign-in page too. Following it changes nothing on the server (it sets this
 * browser's language cookie and comes back), so it needs no CSRF token.
 */
function languageSwitch(frame: Visit): Html {
  const t = words(frame.locale).t;
  const other: Locale = frame.locale === 'ru' ? 'en' : 'ru';
  const name = words(other).t(other === 'ru' ? 'language-name-ru' : 'language-name-en');
  return html`<nav class="language" aria-label="${t('language-label')}"><a href="${languageSwitchHref(other, frame.here)}" hreflang="${other}" lang="${other}">${name}</a></nav>`;
}

/** A whole page: one small stylesheet and no script unless `frame.script`, usable on a phone and by keyboard. */
export function page(frame: PageFrame, body: HtmlValue): Html {
  const { t } = words(frame.locale);
  const nav = frame.session === undefined ? '' : html`
  <nav aria-label="${t('nav-label')}">
    <ul>${NAV.map((entry) => html`<li><a href="${entry.href}"${entry.section === frame.section ? html` aria-current="page"` : ''}>${entry.label(t)}</a></li>`)}</ul>
    <form method="post" action="${BASE}sign-out" class="inline">${csrfField(frame.session.csrf)}<button type="submit">${t('sign-out', { name: frame.session.admin.name })}</button></form>
  </nav>`;
  return html`<!doctype html>
<html lang="${frame.locale}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  ${refresh(frame)}
  <title>${t('page-title', { title: frame.title })}</title>
  <link rel="stylesheet" href="${BASE}assets/admin.css">
  ${frame.script === undefined ? '' : html`<script src="${frame.script}" defer></script>`}
</head>
<body>
  <a class="skip" href="#main">${t('skip-to-content')}</a>
  <header><strong class="brand">${t('brand')}</strong>${nav}${languageSwitch(frame)}</header>
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

/** The error under a field, tied to it with aria-describedby. */
export function fieldError(id: string, message: string | undefined): Html {
  return message === undefined ? html`` : html`<p class="field-error" id="${id}-error">${message}</p>`;
}

export function describedBy(id: string, message: string | undefined): Html {
  return message === undefined ? html`` : html` aria-invalid="true" aria-describedby="${id}-error"`;
}
