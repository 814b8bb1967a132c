import { html, type Html } from '../html.js';
import { BASE, page, type PageFrame } from './layout.js';

/** A page for a status other than 200: never a stack trace, never an internal message. */
export function problemPage(frame: Pick<PageFrame, 'session'>, status: 403 | 404 | 422 | 503, what: string): Html {
  const titles = { 403: 'Not allowed', 404: 'Not found', 422: 'Not accepted', 503: 'Try again' } as const;
  return page({ ...frame, title: titles[status] }, html`
    <h1>${titles[status]}</h1>
    <p>${what}</p>
    <p><a href="${BASE}">Back to the panel</a></p>
  `);
}
