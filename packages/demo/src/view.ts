/** The live view: redrawn in place on a terminal, or one line per change in a log. */
import { backupLine, contextLine } from './database-progress.js';
import type { AdminCounts, AlsoMoving, PaymentCounts, PostCounts, Snapshot } from './snapshot.js';

const CLEAR = '\u001b[H\u001b[2J';

export function renderLive(s: Snapshot): string {
  const status = s.status;
  const weight = status.weight ?? 0;
  const bar = `${'█'.repeat(Math.round(weight / 5))}${'░'.repeat(20 - Math.round(weight / 5))}`;
  const a = status.analysis;
  const side = (name: string, m: { requests?: number; errorRate?: number; p95LatencyMs?: number } | undefined): string =>
    m === undefined ? `${name}  -` : `${name}  errors ${((m.errorRate ?? 0) * 100).toFixed(2).padStart(6)}%   p95 ${m.p95LatencyMs === undefined ? '   -' : `${Math.round(m.p95LatencyMs).toString().padStart(4)} ms`}   requests ${String(m.requests ?? 0)}`;
  const lines = [
    `Nova demo — ${s.migration}          ${clock(s.at - s.startedAt)}`,
    `  moves    ${s.route} from ${s.legacy} to ${s.target}`,
    '',
    `  phase    ${status.phase ?? 'Pending'}${status.message === undefined ? '' : ` — ${status.message}`}`,
    `  step     ${status.stepLabel ?? '-'}`,
    ...(s.database === undefined ? [`  weight   ${bar} ${String(weight)}% on the target`] : [
      `  moved    ${bar} ${String(weight)}% of the contexts in their own schema`,
      `  backup   ${backupLine(s.database.backup)}`,
      ...s.database.contexts.map((context) => `           ${contextLine(context)}`),
    ]),
    `  analysis ${a?.summary ?? 'no check yet'}`,
    `           checks: ${String(a?.passes ?? 0)} passed, ${String(a?.failures ?? 0)} failed, ${String(a?.inconclusive ?? 0)} inconclusive, ${String(a?.errors ?? 0)} unavailable`,
    `           ${side('legacy', a?.legacy)}`,
    `           ${side('target', a?.target)}`,
    ...s.also.map((other) => `  also     ${alsoLine(other)}`),
    `  traffic  ${String(s.traffic.sent)} updates sent by simulated users, ${String(s.traffic.answered)} answered, ${String(s.traffic.sent - s.traffic.answered)} in flight,`,
    `           ${String(s.traffic.duplicates)} duplicate replies; ${String(s.traffic.refusedDeliveries)} deliveries refused and retried by Telegram`,
    ...(s.traffic.payments === undefined ? [] : [`  payments ${paymentsLine(s.traffic.payments)}`]),
    ...(s.traffic.posts === undefined ? [] : [`  posts    ${postsLine(s.traffic.posts)}`]),
    ...(s.traffic.admin === undefined ? [] : [`  admins   ${adminLine(s.traffic.admin)}`]),
    '',
    ...s.notes.slice(-6).map((note) => `  ${note}`),
  ];
  return `${CLEAR}${lines.join('\n')}\n`;
}

/** One line for a log: only when phase, step or weight changed. */
export function renderLine(s: Snapshot): string {
  const a = s.status.analysis;
  const others = s.also.map((other) => ` | ${other.migration} ${other.status.phase ?? 'Pending'} ${other.status.stepLabel ?? '-'} weight ${String(other.status.weight ?? 0)}%`).join('');
  const contexts = s.database === undefined ? '' : ` | ${s.database.contexts.map((context) => `${context.context} ${context.state}`).join(', ') || 'no context moved yet'}`;
  return `[${clock(s.at - s.startedAt)}] ${s.status.phase ?? 'Pending'} ${s.status.stepLabel ?? '-'} weight ${String(s.status.weight ?? 0)}%${contexts} | ${a?.summary ?? 'no check yet'}${others} | sent ${String(s.traffic.sent)} answered ${String(s.traffic.answered)}`;
}

function alsoLine(other: AlsoMoving): string {
  const status = other.status;
  return `${other.migration} (${other.route}): ${status.phase ?? 'Pending'}, ${status.stepLabel ?? '-'}, ${String(status.weight ?? 0)}% — ${status.analysis?.summary ?? 'no check yet'}`;
}

export function paymentsLine(p: PaymentCounts): string {
  const made = p.cryptobot + p.platega;
  return `${String(made)} paid (CryptoBot ${String(p.cryptobot)}, Platega ${String(p.platega)}), ${String(p.announced)} announced by the main bot${p.withoutLink > 0 ? `; ${String(p.withoutLink)} /buy answered without a link` : ''}`;
}

export function postsLine(p: PostCounts): string {
  return `${String(p.created)} created (${String(p.scheduled)} scheduled), ${String(p.published)} published, ${String(p.reported)} reported to their owners, ${String(p.doubled)} doubled`;
}

export function adminLine(a: AdminCounts): string {
  return `${String(a.pages)} pages asked by the admins, ${String(a.served)} served, ${String(a.failed)} failed, ${String(a.signedOut)} sent back to sign-in${a.other > 0 ? `, ${String(a.other)} other answers` : ''}${a.reloaded > 0 ? ` (${String(a.reloaded)} reloaded after a closed connection)` : ''}${a.failures.length > 0 ? `; failures: ${a.failures.join('; ')}` : ''}`;
}

export function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
