import type { AuditEntryView } from '../audit.js';
import { html, type Html } from '../html.js';
import { words } from '../texts.js';
import { page, type Frame } from './layout.js';
import { auditTable } from './user.js';

export function auditPage(frame: Frame, entries: readonly AuditEntryView[]): Html {
  const w = words(frame.locale);
  return page({ ...frame, title: w.t('audit-title'), section: 'audit' }, html`<h1>${w.t('audit-title')}</h1>${auditTable(w, entries, w.t('audit-caption-latest'))}`);
}
