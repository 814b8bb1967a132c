#!/usr/bin/env node
/**
 * nova-schema-move <prepare|move|reverse|verify|backup|restore|status> (--plan plan.json | --plan-json '{...}') [--context <schema>]
 *   [--dir <backup folder>] [--file <backup file> --sha256 <hex>] [--lock-timeout-ms 50] [--retries 20] [--result-file <path>]
 *
 * One JSON object on stdout per run (`{"ok":true,...}` or `{"ok":false,"error":{name,message,...}}`),
 * progress on stderr. The database URL comes from DATABASE_URL (the migration login), never from the
 * command line (it would show in `ps`). A Kubernetes Job or a local process runs it; every command
 * is safe to run again after a crash.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { backup, restore } from './backup.js';
import { moveAll, moveContext, prepare, reverseAll, reverseContext, status, verifyAll } from './engine.js';
import { SchemaMoveError } from './errors.js';
import { contextOf, parsePlan } from './plan.js';
import { testFaultsFromEnv } from './test-faults.js';
import { asReported } from './unavailable.js';

const usage =
  'usage: DATABASE_URL=postgresql://... nova-schema-move <prepare|move|reverse|verify|backup|restore|status> (--plan <plan.json> | --plan-json <json>) ' +
  '[--context <schema>] [--dir <backup folder>] [--file <backup> --sha256 <hex>] [--lock-timeout-ms N] [--retries N]';

const COMMANDS = ['prepare', 'move', 'reverse', 'verify', 'backup', 'restore', 'status'] as const;
type Command = (typeof COMMANDS)[number];

async function run(argv: readonly string[]): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      plan: { type: 'string' },
      // The plan inline (it holds names only, no secret): a Kubernetes Job has no file to read it from.
      'plan-json': { type: 'string' },
      // The JSON result also written here: a Job's container writes it to /dev/termination-log, where the operator reads it.
      'result-file': { type: 'string' },
      context: { type: 'string' },
      dir: { type: 'string' },
      file: { type: 'string' },
      sha256: { type: 'string' },
      'lock-timeout-ms': { type: 'string' },
      retries: { type: 'string' },
    },
  });
  const command = positionals[0] as Command | undefined;
  const url = process.env.DATABASE_URL;
  const planText = values['plan-json'] ?? (values.plan === undefined ? undefined : readFileSync(values.plan, 'utf8'));
  if (!command || !COMMANDS.includes(command) || planText === undefined || !url) throw new UsageError(usage);
  const plan = parsePlan(planText);
  if (command === 'backup') {
    if (!values.dir) throw new UsageError('backup needs --dir');
    return { backup: await backup(url, values.dir) };
  }
  const options = {
    ...(values['lock-timeout-ms'] ? { lockTimeoutMs: Number(values['lock-timeout-ms']) } : {}),
    ...(values.retries ? { retries: Number(values.retries) } : {}),
    log: (line: string) => process.stderr.write(`${line}\n`),
    ...testFaultsFromEnv(process.env),
  };
  const client = new pg.Client({ connectionString: url });
  // A server that ends the session while the client waits between queries (a restart during a swap's
  // backoff) raises 'error' on it: unheard, that killed the CLI without a result; heard, the next
  // query fails with the cause, reported as DatabaseUnavailableError.
  client.on('error', () => undefined);
  await client.connect();
  try {
    switch (command) {
      case 'prepare':
        await prepare(client, plan);
        return { status: await status(client, plan) };
      case 'move':
        return values.context ? { moved: [await moveContext(client, plan, contextOf(plan, values.context), options)] } : await moveAll(client, plan, options);
      case 'reverse':
        return { reversed: values.context ? [await reverseContext(client, plan, contextOf(plan, values.context), options)] : await reverseAll(client, plan, options) };
      case 'verify': {
        const verifications = await verifyAll(client, plan);
        return { verified: verifications.every((v) => v.ok), verifications };
      }
      case 'restore':
        if (!values.file) throw new UsageError('restore needs --file (and should have --sha256)');
        await restore(client, url, plan, values.file, values.sha256);
        return { restored: values.file, status: await status(client, plan) };
      case 'status':
        return { status: await status(client, plan) };
    }
  } finally {
    // After a lost connection end() may fail too: the step's own error is the one to report.
    await client.end().catch(() => undefined);
  }
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The fingerprints' details (checksums, before/after, storage file nodes): on stdout, not in the
 * result file, which a Job's pod hands over as its termination message, cut at 4096 bytes.
 */
const DETAIL_KEYS = new Set(['before', 'after', 'checksum', 'filenodeBefore', 'filenodeAfter']);

/** The result line on stdout, and (without the details) in --result-file when given (best effort: stdout is the record). */
function emit(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const file = resultFile(process.argv.slice(2));
  if (file !== undefined) {
    try {
      writeFileSync(file, JSON.stringify(result, (key, value: unknown) => (DETAIL_KEYS.has(key) ? undefined : value)));
    } catch (error) {
      process.stderr.write(`could not write the result to ${file}: ${(error as Error).message}\n`);
    }
  }
}

function resultFile(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--result-file');
  return index < 0 ? undefined : argv[index + 1];
}

run(process.argv.slice(2)).then(
  (result) => {
    emit({ ok: true, ...(result as object) });
    const verified = (result as { verified?: boolean }).verified;
    process.exitCode = verified === false ? 3 : 0;
  },
  (thrown: unknown) => {
    const error = asReported(thrown);
    const e = error as Error & { schema?: string; problems?: unknown; stderr?: string };
    emit({ ok: false, error: { name: e.name, message: e.message, ...(error instanceof SchemaMoveError ? { schema: e.schema, problems: e.problems, stderr: e.stderr } : {}) } });
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
