import { describe, expect, it } from '@jest/globals';
import { expectedOutcome, judge, renderWholeHtml, renderWholeReport, type StageOutcome, type WholeReport } from './whole-report.js';

const ok = { updates: 0, payments: 0, postsWhole: true, adminOk: true, probeFailed: 0 };

function stage(number: number, outcome: string, finalWeight: number, migration = `stage-${String(number)}-x`): StageOutcome {
  return {
    stage: number, migration, route: '/x/', from: 'nova-monolith', to: 'x-service', outcome, reason: outcome === 'Promoted' ? 'AllStepsDone' : outcome === 'RolledBack' ? 'AnalysisFailed' : '',
    finalWeight, seconds: outcome === 'Pending' ? 0 : 41, steps: [{ step: '1/11 setWeight 5', weight: 5, seconds: 0.2 }],
    analysis: { passes: 5, failures: 0, inconclusive: 1, errors: 0, last: 'Passed', legacy: { requests: 39, errorRate: 0, p95LatencyMs: 6 }, target: { requests: 46, errorRate: 0, p95LatencyMs: 7 } },
  };
}

describe('the whole plan\'s verdict', () => {
  it('expects every stage Promoted; with --fail N the earlier ones Promoted, N rolled back, the later ones waiting', () => {
    expect([1, 2, 3].map((n) => expectedOutcome(n, undefined))).toEqual(['Promoted', 'Promoted', 'Promoted']);
    expect([1, 2, 3, 4].map((n) => expectedOutcome(n, 2))).toEqual(['Promoted', 'RolledBack', 'Pending', 'Pending']);
  });

  it('is as expected only when each stage ended so and nothing was lost, and says what was not', () => {
    const plan = [stage(1, 'Promoted', 100), stage(2, 'RolledBack', 0), stage(3, 'Pending', 0)];
    expect(judge(plan, 2, ok)).toEqual({ ok: true, why: [] });
    expect(judge(plan, undefined, ok).why).toEqual([
      'stage-2-x ended RolledBack at 0%, expected Promoted at 100%',
      'stage-3-x ended Pending at 0%, expected Promoted at 100%',
    ]);
    // A stage that rolled back but left weight on the target is not a rollback the plan expects.
    expect(judge([stage(1, 'Promoted', 100), stage(2, 'RolledBack', 5), stage(3, 'Pending', 0)], 2, ok).ok).toBe(false);
    expect(judge(plan, 2, { ...ok, updates: 2, probeFailed: 1 }).why).toEqual(['2 updates lost', '1 probe writes failed during stage 7\'s swaps']);
  });

  it('fails on a subscription reminder due and never received, doubled, or unexpected', () => {
    const plan = [stage(1, 'Promoted', 100)];
    const whole = { expected: 3, received: 3, doubled: 0, missing: [], missingCount: 0, unexpected: 0 };
    expect(judge(plan, undefined, { ...ok, reminders: whole })).toEqual({ ok: true, why: [] });
    expect(judge(plan, undefined, { ...ok, reminders: { ...whole, received: 2, missing: ['chat 61002, 1d'], missingCount: 1 } }).why).toEqual(['subscription reminders: 1 never received']);
    expect(judge(plan, undefined, { ...ok, reminders: { ...whole, doubled: 1 } }).why).toEqual(['subscription reminders: 1 doubled']);
    expect(judge(plan, undefined, { ...ok, reminders: { ...whole, doubled: 2, unexpected: 1 } }).why).toEqual(['subscription reminders: 2 doubled, 1 unexpected']);
  });
});

describe('the whole plan\'s report', () => {
  const report: WholeReport = {
    plan: 'whole', failStage: 2, seconds: 312,
    stages: [
      { ...stage(1, 'Promoted', 100, 'stage-1-webhook-gateway'), trace: { id: 'def', url: 'http://127.0.0.1:1/api/traces/def', spans: 9, services: ['webhook-gateway', 'user-service'] } },
      stage(2, 'RolledBack', 0, 'stage-2-users'), stage(3, 'Pending', 0, 'stage-3-bots'),
    ],
    updates: { sent: 900, answered: 900, lost: 0, duplicates: 0, refusedDeliveries: 3 },
    payments: { cryptobot: 20, platega: 19, announced: 39, withoutLink: 0, lost: 0 },
    posts: { created: 30, scheduled: 12, published: 30, reported: 30, doubled: 0, lost: 0, unrecorded: 0 },
    reminders: { expected: 9, received: 10, doubled: 0, missing: [], missingCount: 0, unexpected: 0, bySide: { legacy: 6, target: 4 } },
    trace: { id: 'abc', url: 'http://127.0.0.1:1/api/traces/abc', spans: 6, services: ['webhook-gateway'] },
    verdict: { ok: true, why: [] },
  };

  it('gives each stage its outcome, time, checks and both sides, then the run\'s counts and the verdict', () => {
    const text = renderWholeReport(report);
    expect(text).toContain('=== Nova demo report: the whole plan, stages 1 to 8 (--fail 2), 05:12 ===');
    expect(text).toContain('1 webhook-gateway     Promoted (AllStepsDone), 100%, in 00:41; checks 5 passed, 0 failed, 1 inconclusive');
    expect(text).toContain('                      /x/: nova-monolith → x-service; last: legacy 0.0% 6ms (39 req), target 0.0% 7ms (46 req)');
    expect(text).toContain('3 bots                waiting: never started (an earlier stage rolled back)');
    // A trace per stage that moved: the one found through its new side, or that none was.
    expect(text).toContain('                      trace http://127.0.0.1:1/api/traces/def (9 spans: webhook-gateway, user-service)');
    expect(text).toContain('                      trace none found');
    expect(text.match(/^ +trace /gmu)).toHaveLength(2);
    expect(text).toContain('updates   900 sent by the simulated users, 900 processed and answered: nothing lost, 0 duplicate replies; 3 deliveries refused and retried by Telegram');
    expect(text).toMatch(/^payments {2}39 paid \(CryptoBot 20, Platega 19\)/mu);
    expect(text).toMatch(/^posts {5}30 created \(12 scheduled\)/mu);
    // The subscription reminders after the posts, before the trace.
    expect(text).toContain('\nreminders 9 due while the plan ran, 10 received (sent by the monolith 6, by the notification service 4), 0 doubled: every reminder due received once\ntrace     abc');
    expect(text).toMatch(/^trace {5}abc: 6 spans/mu);
    expect(text).toContain('verdict   as expected: stages before 2 Promoted, stage 2 rolled back, the later ones waiting; nothing lost');
    expect(text).not.toContain('=== Nova demo report:  ===');
  });

  it('renders one HTML file with a weight chart per migration over the whole run, its text escaped', () => {
    const html = renderWholeHtml(report, [{ migration: 'stage-1-webhook-gateway', points: [{ seconds: 0, weight: 0, phase: 'Pending', step: '-' }, { seconds: 20, weight: 100, phase: 'Promoted', step: '11/11 setWeight 100' }] }, { migration: 'stage-3-bots', points: [] }]);
    expect(html.match(/<svg /gu)).toHaveLength(2);
    expect(html).toContain('<h2>stage-3-bots: waiting</h2>');
    expect(html).toContain('<a href="http://127.0.0.1:1/api/traces/def">def</a> (9 spans: webhook-gateway, user-service)');
    expect(html).toContain('nova-monolith → x-service');
    expect(html).toContain('reminders 9 due while the plan ran, 10 received');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)[^"]*\.(js|css)/u);
  });
});
