/**
 * The main job, whole, headless: `npm run demo` with no options, as a newcomer runs it (the built
 * packages/demo, its own real components, the fleet and the operator as processes), with short
 * steps: every stage file applied at once, stages 1 to 8 through their own steps, once healthy
 * and once with --fail 4. Its own file, so jest runs it beside demo.test.ts's single stages.
 */
import { describe, expect, it, jest } from '@jest/globals';
import type { WholeReport } from '../../packages/demo/src/whole-report.js';
import { expectNothingLostOrDoubled, runDemo, WHOLE_PLAN_P95_FLOOR } from './support/demo-run.js';

// The whole plan: about 4–7 minutes here beside other work.
jest.setTimeout(1_300_000);

describe('npm run demo: the whole plan (headless, short steps)', () => {
  // The whole plan's run, healthy: what the single-stage healthy runs of stages 1, 6 and 8 checked
  // (every step of stage 1, each approval, the schedulers' posts, the admins' sessions) is checked
  // here in one run, with stages 2–5 and 7 moving through their own steps too.
  it('the whole plan: every stage file applied at once, stages 1 to 8 Promoted in order through their own steps while users talk, post, pay and admins browse; nothing lost', async () => {
    const started = Date.now();
    const { code, output, report } = await runDemo<WholeReport>([...WHOLE_PLAN_P95_FLOOR], 1_200_000);
    process.stdout.write(`demo, the whole plan: ${String(report.seconds)} s from the stage files applied to the end, ${String(Math.round((Date.now() - started) / 1000))} s in all\n`);
    if (!report.verdict.ok || code !== 0) throw new Error(`expected every stage Promoted, nothing lost, exit 0; got exit ${String(code)}: ${report.verdict.why.join('; ')}\n${output.slice(-4000)}`);
    expect(report.stages.map((stage) => `${String(stage.stage)} ${stage.migration} ${stage.outcome} ${String(stage.finalWeight)}`)).toEqual([
      '1 stage-1-webhook-gateway Promoted 100', '2 stage-2-users Promoted 100', '3 stage-3-bots Promoted 100', '4 stage-4-publisher Promoted 100',
      '5 stage-5-payments Promoted 100', '5 stage-5-payment-callbacks Promoted 100', '6 stage-6-notifications Promoted 100', '7 stage-7-database Promoted 100',
      '8 stage-8-admin-panel Promoted 100',
    ]);
    // Every step of each stage file ran, in order, each manual pause approved with kubectl nova.
    expect(report.stages[0]?.steps.map((step) => step.step)).toEqual([
      '1/11 setWeight 5', '2/11 pause 3s', '3/11 analysis', '4/11 setWeight 25', '5/11 pause 3s', '6/11 analysis',
      '7/11 setWeight 50', '8/11 pause (approval)', '9/11 pause 3s', '10/11 analysis', '11/11 setWeight 100',
    ]);
    for (const stage of report.stages) {
      expect(output).toContain(`kubectl nova resume ${stage.migration} -n nova`);
      // dependsOn alone ordered them: each began (its Started Event) after every migration of the stage before it was
      // Promoted (its Promoted Event; both the operator's clock, recorded around its status write: a second of slack).
      const before = report.stages.filter((other) => other.stage === stage.stage - 1);
      for (const other of before) expect(stage.began ?? 0).toBeGreaterThanOrEqual((other.ended ?? Infinity) - 1);
      expect(stage.analysis.passes).toBeGreaterThanOrEqual(stage.stage === 7 ? 4 : 3);
      expect(stage.analysis.target?.errorRate ?? 0).toBeLessThanOrEqual(0.001);
    }
    expect(output).toMatch(/kubectl apply -f examples\/stages\/stage-7-database\.yaml {2}\(adapted/u);
    expectNothingLostOrDoubled(report);
    expect(report.updates.sent).toBeGreaterThan(200);
    expect(report.payments?.cryptobot).toBeGreaterThan(0);
    expect(report.payments?.platega).toBeGreaterThan(0);
    expect(report.payments).toMatchObject({ lost: 0 });
    expect(report.posts?.scheduled).toBeGreaterThan(5);
    expect(report.posts?.created).toBeGreaterThan(report.posts?.scheduled ?? 0);
    expect(report.posts).toMatchObject({ lost: 0, published: report.posts?.created, reported: report.posts?.created });
    expect(report.posts?.doubled).toBeLessThanOrEqual(report.posts?.unrecorded ?? 0);
    expect(report.admin?.pages).toBeGreaterThan(20);
    expect(report.admin).toMatchObject({ served: report.admin?.pages, failed: 0, signedOut: 0, other: 0 });
    // The users received the reminders of the subscriptions seeded for them, each once, from whichever side's scheduler
    // owned their chat (the per-side figures depend on when stage 6 moved: printed, not asserted).
    process.stdout.write(`demo, the whole plan: reminders ${JSON.stringify(report.reminders)}\n`);
    expect(report.reminders?.received).toBeGreaterThan(0);
    expect(report.reminders).toMatchObject({ doubled: 0, missingCount: 0, unexpected: 0 });
    // Stage 7 through its own steps: the backup, four moves, no probe write failed.
    expect(report.database?.backup?.sha256).toMatch(/^[0-9a-f]{64}$/u);
    expect(report.database?.contexts.map((context) => `${context.context}:${context.state}`)).toEqual(['user:Moved', 'bot:Moved', 'publisher:Moved', 'payment:Moved']);
    expect(report.database?.stall?.swaps.map((swap) => swap.swap)).toEqual(['user moved', 'bot moved', 'publisher moved', 'payment moved']);
    expect(report.database?.stall).toMatchObject({ failed: 0 });
    expect(report.trace?.services).toEqual(expect.arrayContaining(['webhook-gateway']));
    expect(output).toContain('=== Nova demo report: the whole plan, stages 1 to 8');
  }, 1_300_000);

  it('the whole plan with --fail 4: a publisher service without its database privileges is rolled back, stages 1–3 stay Promoted, 5–8 wait; every post, the scheduled ones too, still published and reported once (or twice where the record of a send was refused, as counted)', async () => {
    const started = Date.now();
    const { code, output, report } = await runDemo<WholeReport>([...WHOLE_PLAN_P95_FLOOR, '--fail', '4'], 1_200_000);
    process.stdout.write(`demo, the whole plan with --fail 4: ${String(report.seconds)} s from the stage files applied to the end, ${String(Math.round((Date.now() - started) / 1000))} s in all\n`);
    if (!report.verdict.ok || code !== 0) throw new Error(`expected stages 1–3 Promoted, 4 rolled back, 5–8 waiting, nothing lost, exit 0; got exit ${String(code)}: ${report.verdict.why.join('; ')}\n${output.slice(-4000)}`);
    expect(report.stages.map((stage) => `${String(stage.stage)} ${stage.outcome} ${String(stage.finalWeight)}`)).toEqual([
      '1 Promoted 100', '2 Promoted 100', '3 Promoted 100', '4 RolledBack 0', '5 Pending 0', '5 Pending 0', '6 Pending 0', '7 Pending 0', '8 Pending 0',
    ]);
    expect(report.stages[3]).toMatchObject({ migration: 'stage-4-publisher', reason: 'AnalysisFailed' });
    expect(output).toContain('--fail 4: publisher-service just lost its database privileges');
    expect(report.posts?.scheduled).toBeGreaterThan(5);
    expect(report.posts).toMatchObject({ lost: 0, published: report.posts?.created, reported: report.posts?.created });
    expect(report.posts?.doubled).toBeLessThanOrEqual(report.posts?.unrecorded ?? 0);
    expectNothingLostOrDoubled(report);
    expect(output).toContain('verdict   as expected: stages before 4 Promoted, stage 4 rolled back, the later ones waiting; nothing lost');
  }, 1_300_000);
});
