/**
 * The command line of `kubectl nova`. kubectl hands a plugin every argument after its name,
 * global flags included, so the plugin reads the usual -n / -A / --context / --kubeconfig itself.
 */

export const VERBS = ['status', 'watch', 'pause', 'resume', 'promote', 'abort', 'retry'] as const;
export type Verb = (typeof VERBS)[number];

export interface Invocation {
  readonly verb: Verb;
  readonly name?: string;
  readonly namespace?: string;
  readonly allNamespaces: boolean;
  readonly output: 'human' | 'json';
  readonly kubeconfig?: string;
  readonly context?: string;
  /** watch: stop after this many milliseconds (scripts, tests); forever when absent. */
  readonly timeoutMs?: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** -h / --help: the usage, on stdout, exit 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

export const USAGE = `kubectl nova: watch and steer NovaMigrations

Usage:
  kubectl nova status  [NAME] [-n NAMESPACE | -A] [-o json]   phase, weight, step, last analysis
  kubectl nova watch   [-n NAMESPACE | -A] [-o json] [--timeout 30s]
                                                                live view of every migration
  kubectl nova pause   NAME [-n NAMESPACE]     hold at the current step and weight
  kubectl nova resume  NAME [-n NAMESPACE]     lift a pause, or pass a manual pause step
  kubectl nova promote NAME [-n NAMESPACE]     skip the remaining steps: 100 % to the target
  kubectl nova abort   NAME [-n NAMESPACE]     roll back now: 100 % to legacy
  kubectl nova retry   NAME [-n NAMESPACE]     start a rolled-back migration again

Every verb writes annotations the operator acts on once (never status), so a GitOps tool that
re-applies the migration's file neither undoes nor repeats them.
Flags: --kubeconfig FILE, --context NAME, -o json (one JSON document; watch: one per line).`;

const MUTATING: ReadonlySet<Verb> = new Set(['pause', 'resume', 'promote', 'abort', 'retry']);

export function parseArgs(argv: readonly string[]): Invocation {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-A' || arg === '--all-namespaces') { flags.set('all', true); continue; }
    if (arg === '-h' || arg === '--help') throw new HelpRequested(USAGE);
    const match = /^(-n|--namespace|-o|--output|--kubeconfig|--context|--timeout)(?:=(.*))?$/u.exec(arg);
    if (match !== null) {
      const value = match[2] ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${arg} needs a value`);
      flags.set(canonical(match[1] ?? ''), value);
      continue;
    }
    if (arg.startsWith('-')) throw new UsageError(`unknown flag ${arg}\n\n${USAGE}`);
    positional.push(arg);
  }
  const [verbText, name, ...extra] = positional;
  if (verbText === undefined) throw new UsageError(USAGE);
  if (!(VERBS as readonly string[]).includes(verbText)) throw new UsageError(`unknown command "${verbText}"\n\n${USAGE}`);
  const verb = verbText as Verb;
  if (extra.length > 0) throw new UsageError(`${verb} takes at most one migration name, got ${positional.slice(1).join(' ')}`);
  if (MUTATING.has(verb) && name === undefined) throw new UsageError(`${verb} needs the name of a migration: kubectl nova ${verb} NAME`);
  if (verb === 'watch' && name !== undefined) throw new UsageError('watch shows every migration of the namespace; use -n or -A');
  const output = flags.get('output');
  if (output !== undefined && output !== 'json') throw new UsageError(`-o ${String(output)}: only json is supported`);
  const allNamespaces = flags.get('all') === true;
  const namespace = text(flags.get('namespace'));
  if (allNamespaces && namespace !== undefined) throw new UsageError('-A and -n exclude each other');
  if (allNamespaces && MUTATING.has(verb)) throw new UsageError(`${verb} acts on one migration: use -n, not -A`);
  return {
    verb,
    name,
    namespace,
    allNamespaces,
    output: output === 'json' ? 'json' : 'human',
    kubeconfig: text(flags.get('kubeconfig')),
    context: text(flags.get('context')),
    timeoutMs: timeout(text(flags.get('timeout'))),
  };
}

function canonical(flag: string): string {
  return { '-n': 'namespace', '--namespace': 'namespace', '-o': 'output', '--output': 'output', '--kubeconfig': 'kubeconfig', '--context': 'context', '--timeout': 'timeout' }[flag] ?? flag;
}

function text(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function timeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(ms|s|m)?$/u.exec(value);
  if (match === null) throw new UsageError(`--timeout ${value}: expected a duration like 30s`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}
