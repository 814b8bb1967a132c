import { html, type Html } from '../html.js';
import { words } from '../texts.js';
import { BASE, page, type Frame } from './layout.js';

/** A page for a status other than 200: never a stack trace, never an internal message. */
export function problemPage(frame: Frame, status: 403 | 404 | 422 | 503, what: string): Html {
  const { t } = words(frame.locale);
  const title = t('problem-title', { status });
  return page({ ...frame, title }, html`
    <h1>${title}</h1>
    <p>${what}</p>
    <p><a href="${BASE}">${t('back-to-panel')}</a></p>
  `);
}
