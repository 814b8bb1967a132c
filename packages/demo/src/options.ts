/** The demo's command line: `npm run demo -- [--stage 1|2|3|4|5|6|7|8] [--rate 5] [--users 20] [--pause 15s] [--interval 5s] [--fail] [--keep] [--report file] [--html file]`. */

export interface DemoOptions {
  /** Which seed stage to rehearse: 1 (webhooks, nginx provider), 2 (users), 3 (bots), 4 (publishing; all three nats), 5 (payments: callbacks on nginx and the context on nats), 6 (the schedulers, nats), 7 (the database split: tables, not traffic) or 8 (the admin panel, nginx). */
  readonly stage: DemoStage;
  /** Updates per second the simulated users send, in all. */
  readonly rate: number;
  readonly users: number;
  /** Every timed pause of the stage (the 48 h bake included) lasts this long. */
  readonly pauseMs: number;
  /** The analysis interval (the window is four of them). */
  readonly intervalMs: number;
  /** Break the target once it carries traffic, so the operator rolls back. */
  readonly fail: boolean;
  /** Leave the stack running at the end (for kubectl nova watch in another terminal) until Ctrl-C. */
  readonly keep: boolean;
  /** Also write the report as JSON here. */
  readonly reportFile?: string;
  /** Also write the report as one HTML file here, with each migration's weight over time (html-report.ts). */
  readonly htmlFile?: string;
  /** Redraw the live view in place (a terminal); otherwise print a line per change. */
  readonly live: boolean;
}

/** The stages the demo rehearses (the others are promoted on the way, or not on one machine yet). */
export type DemoStage = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const DEMO_STAGES: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8];

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export const DEMO_USAGE = `npm run demo -- [options]
  --stage 1|2|3|4|5|6|7|8
                     1: webhooks move to the webhook gateway (nginx split); 2: users move on the bus;
                     3: the bots context moves on the bus; 4: publishing moves on the bus while users
                     post to their channels, now and scheduled; 5: payments move (callbacks split by
                     nginx, the context on the bus) while users pay; 6: the schedulers move on the
                     bus while users schedule posts a minute ahead; 7: the legacy tables move from
                     public into the contexts' schemas, one context at a time, while users pay
                     (--fail: a row changed behind the verifier's back, every move reversed);
                     8: the admin panel's pages move
                     (nginx split) while admins browse them (default 1)
  --rate N           updates per second from the simulated users (default 10)
  --users N          simulated users (default 20)
  --pause DURATION   length of every timed pause of the stage, e.g. 15s (default 15s)
  --interval DURATION analysis interval (default 5s)
  --fail             break the new side once it has traffic: watch the operator roll back
  --keep             keep everything running at the end, until Ctrl-C
  --report FILE      write the final report as JSON too
  --html FILE        write it as one HTML file too, with each migration's weight over time
  --no-live          print one line per change instead of redrawing`;

export function parseOptions(argv: readonly string[], isTty: boolean): DemoOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    if (index < 0) return undefined;
    const text = argv[index + 1];
    if (text === undefined || text.startsWith('--')) throw new DemoUsageError(`${flag} needs a value\n\n${DEMO_USAGE}`);
    return text;
  };
  const known = new Set(['--stage', '--rate', '--users', '--pause', '--interval', '--fail', '--keep', '--report', '--html', '--no-live', '--help']);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new DemoUsageError(`unknown option ${arg}\n\n${DEMO_USAGE}`);
  if (argv.includes('--help')) throw new DemoUsageError(DEMO_USAGE);
  const stage = Number(value('--stage') ?? '1');
  if (!DEMO_STAGES.includes(stage)) throw new DemoUsageError(`--stage ${String(stage)}: the demo rehearses stage 1, 2, 3, 4, 5, 6, 7 or 8`);
  if (stage === 3 && argv.includes('--fail')) {
    throw new DemoUsageError('--stage 3 --fail: not yet. Updates already stored for the bot service stay with it after a rollback, so a broken bot service keeps (and finally dead-letters) the ones addressed to it, and the demo\'s link cutter cannot keep it off NATS. docs/demo.md, "A gap in stage 3", says more.');
  }
  return {
    stage: stage as DemoStage,
    rate: positive('--rate', value('--rate') ?? '10'),
    users: positive('--users', value('--users') ?? '20'),
    pauseMs: duration('--pause', value('--pause') ?? '15s'),
    intervalMs: duration('--interval', value('--interval') ?? '5s'),
    fail: argv.includes('--fail'),
    keep: argv.includes('--keep'),
    reportFile: value('--report'),
    htmlFile: value('--html'),
    live: isTty && !argv.includes('--no-live'),
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
