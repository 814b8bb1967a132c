/** The demo's command line: `npm run demo -- [--stage 1|2|3|4|5|6|7|8 | --cluster] [--rate 5] [--users 20] [--pause 15s] [--interval 5s] [--fail [N]] [--keep] [--report file] [--html file]`. */

export interface DemoOptions {
  /**
   * Which seed stage to rehearse: 1 (webhooks, nginx provider), 2 (users), 3 (bots), 4 (publishing; all three nats), 5 (payments: callbacks on nginx and the context on nats), 6 (the schedulers, nats), 7 (the database split: tables, not traffic) or 8 (the admin panel, nginx).
   * Absent (no --stage): the whole plan, stages 1 to 8 in one run (whole-plan.ts).
   */
  readonly stage?: DemoStage;
  /** The whole plan's --fail N: the stage that breaks once it carries 25 % (the earlier ones stay Promoted, the later ones wait). */
  readonly failStage?: DemoStage;
  /** Updates per second the simulated users send, in all. */
  readonly rate: number;
  readonly users: number;
  /** Every timed pause of the stage (the 48 h bake included) lasts this long. */
  readonly pauseMs: number;
  /** The analysis interval (the window is four of them). */
  readonly intervalMs: number;
  /** --stage N --fail: break the target once it carries traffic, so the operator rolls back. */
  readonly fail: boolean;
  /** Leave the stack running at the end (for kubectl nova watch in another terminal) until Ctrl-C. */
  readonly keep: boolean;
  /** Also write the report as JSON here. */
  readonly reportFile?: string;
  /** Also write the report as one HTML file here, with each migration's weight over time (html-report.ts). */
  readonly htmlFile?: string;
  /** Redraw the live view in place (a terminal); otherwise print a line per change. */
  readonly live: boolean;
  /**
   * `--p95-limit`: no stage's p95 limit is below this. For test/demo, which checks the plan's
   * mechanics and must not assert the machine's speed (speed is bench/'s); a person leaves it off
   * and sees each stage's own limit judged.
   */
  readonly p95FloorMs?: number;
  /**
   * `--cluster`: stage 2 on a one-node Kubernetes cluster (the test bed's node component), the
   * chart installed with helm and the operator moving the stage from its pod (cluster.ts). Needs
   * root; stage 2 only.
   */
  readonly cluster: boolean;
}

/** The stages the demo rehearses (the others are promoted on the way, or not on one machine yet). */
export type DemoStage = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const DEMO_STAGES: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8];

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export const DEMO_USAGE = `npm run demo -- [options]
  (no --stage)       the whole plan: every stage file applied at once, dependsOn ordering
                     them, stage 1 to stage 8 while the users talk, post, pay and admins browse
  --stage 1|2|3|4|5|6|7|8
                     1: webhooks move to the webhook gateway (nginx split); 2: users move on the bus;
                     3: the bots context moves on the bus; 4: publishing moves on the bus while users
                     post to their channels, now and scheduled; 5: payments move (callbacks split by
                     nginx, the context on the bus) while users pay; 6: the schedulers move on the
                     bus while users schedule posts a minute ahead; 7: the legacy tables move from
                     public into the contexts' schemas, one context at a time, while users pay
                     (--fail: a row changed behind the verifier's back, every move reversed);
                     8: the admin panel's pages move
                     (nginx split) while admins browse them
  --rate N           updates per second from the simulated users (default 10)
  --users N          simulated users (default 20)
  --pause DURATION   length of every timed pause of the stage, e.g. 15s (default 15s;
                     the whole plan: 3s)
  --interval DURATION analysis interval (default 5s; the whole plan: 2s)
  --fail N           the whole plan: stage N (not 3) breaks at 25 % and rolls back, the
                     earlier stages stay Promoted, the later ones wait
  --stage N --fail   break the new side once it has traffic: watch the operator roll back
  --keep             keep everything running at the end, until Ctrl-C
  --report FILE      write the final report as JSON too
  --html FILE        write it as one HTML file too, with each migration's weight over time
  --no-live          print one line per change instead of redrawing
  --p95-limit DURATION no stage's p95 limit below this (the tests: they check the plan, not the
                     machine's speed); default each stage's own (1 s; 5 s for stages 4, 6, 7)
  --cluster          stage 2 on a real one-node Kubernetes cluster: the chart installed with helm,
                     the services and the operator in pods, the users through a NodePort
                     (--cluster --fail: the user service loses its database privileges). Needs root;
                     the first run builds the node's binaries (about 4 min on a quiet machine) and the images`;

export function parseOptions(argv: readonly string[], isTty: boolean): DemoOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    if (index < 0) return undefined;
    const text = argv[index + 1];
    if (text === undefined || text.startsWith('--')) throw new DemoUsageError(`${flag} needs a value\n\n${DEMO_USAGE}`);
    return text;
  };
  const known = new Set(['--stage', '--rate', '--users', '--pause', '--interval', '--fail', '--keep', '--report', '--html', '--no-live', '--p95-limit', '--cluster', '--help']);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new DemoUsageError(`unknown option ${arg}\n\n${DEMO_USAGE}`);
  if (argv.includes('--help')) throw new DemoUsageError(DEMO_USAGE);
  const cluster = argv.includes('--cluster');
  const stageText = value('--stage');
  if (cluster && stageText !== undefined && stageText !== '2') throw new DemoUsageError(`--cluster --stage ${stageText}: the cluster run shows stage 2 (the users context on the bus); the other stages run on one machine without --cluster`);
  // --cluster is stage 2: a single-stage run, its --fail plain or naming 2.
  const stage = stageText === undefined ? (cluster ? 2 : undefined) : Number(stageText);
  if (stage !== undefined && !DEMO_STAGES.includes(stage)) throw new DemoUsageError(`--stage ${String(stage)}: the demo rehearses stage 1, 2, 3, 4, 5, 6, 7 or 8`);
  const fail = argv.includes('--fail');
  // --fail takes a stage number when one follows it (the whole plan's --fail N); with --stage N it may repeat N.
  const failText = fail ? argv[argv.indexOf('--fail') + 1] : undefined;
  const failNumber = failText !== undefined && /^\d+$/u.test(failText) ? Number(failText) : undefined;
  if (failNumber !== undefined && !DEMO_STAGES.includes(failNumber)) throw new DemoUsageError(`--fail ${String(failNumber)}: the plan's stages are 1 to 8`);
  if (stage !== undefined && failNumber !== undefined && failNumber !== stage) throw new DemoUsageError(`--stage ${String(stage)} --fail ${String(failNumber)}: a single-stage run breaks its own stage; for stage ${String(failNumber)} in the whole plan, leave --stage out`);
  if (stage === undefined && fail && failNumber === undefined) throw new DemoUsageError(`--fail: say which stage of the whole plan breaks (--fail N), or rehearse one stage (--stage N --fail)\n\n${DEMO_USAGE}`);
  if ((stage ?? failNumber) === 3 && fail) {
    throw new DemoUsageError(`${stage === undefined ? '--fail 3' : '--stage 3 --fail'}: not yet. Updates already stored for the bot service stay with it after a rollback, so a broken bot service keeps (and finally dead-letters) the ones addressed to it, and the demo's link cutter cannot keep it off NATS. docs/demo.md, "A gap in stage 3", says more.`);
  }
  // The whole plan moves nine migrations one after the other: its pauses and checks are shorter (docs/demo.md, "The whole plan").
  const whole = stage === undefined;
  return {
    ...(stage === undefined ? {} : { stage: stage as DemoStage }),
    ...(whole && failNumber !== undefined ? { failStage: failNumber as DemoStage } : {}),
    rate: positive('--rate', value('--rate') ?? '10'),
    users: positive('--users', value('--users') ?? '20'),
    pauseMs: duration('--pause', value('--pause') ?? (whole ? '3s' : '15s')),
    intervalMs: duration('--interval', value('--interval') ?? (whole ? '2s' : '5s')),
    fail: !whole && fail,
    keep: argv.includes('--keep'),
    reportFile: value('--report'),
    htmlFile: value('--html'),
    live: isTty && !argv.includes('--no-live'),
    ...(value('--p95-limit') === undefined ? {} : { p95FloorMs: duration('--p95-limit', value('--p95-limit') ?? '') }),
    cluster,
  };
}

function positive(flag: string, text: string): number {
  const number = Number(text);
  if (!Number.isFinite(number) || number <= 0) throw new DemoUsageError(`${flag} ${text}: expected a positive number`);
  return number;
}

export function duration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/u.exec(text);
  if (match === null) throw new DemoUsageError(`${flag} ${text}: expected a duration like 15s`);
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm']);
}

export function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)}s` : `${String(ms)}ms`;
}
