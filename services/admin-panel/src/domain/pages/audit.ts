import type { AuditEntryView } from '../audit.js';
import { html, type Html } from '../html.js';
import { page, type PageFrame } from './layout.js';
import { auditTable } from './user.js';

export function auditPage(frame: Pick<PageFrame, 'session'>, entries: readonly AuditEntryView[]): Html {
  return page({ ...frame, title: 'Audit log', section: 'audit' }, html`<h1>Audit log</h1>${auditTable(entries, 'The latest admin actions, newest first')}`);
}
