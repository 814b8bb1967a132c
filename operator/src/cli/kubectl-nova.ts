/**
 * `kubectl nova`: the SRE's view of NovaMigrations and the levers on them. Installed as an
 * executable named kubectl-nova on PATH (bin/kubectl-nova in this repository), which kubectl runs
 * for `kubectl nova ...`. Exit codes: 0 done, 1 the request was refused or failed, 2 usage.
 */
import { HelpRequested, parseArgs, UsageError, type Invocation } from './args.js';
import { CliError, MigrationClient, target } from './client.js';
import { page, summarize, table } from './render.js';
import { pause, request, resume, type VerbResult } from './verbs.js';
import { watch } from './watch.js';

async function run(invocation: Invocation): Promise<void> {
  const where = target(invocation);
  const client = new MigrationClient(where);
  const json = invocation.output === 'json';
  switch (invocation.verb) {
    case 'status': {
      if (invocation.name !== undefined) {
        const migration = await client.get(invocation.name);
        print(json ? JSON.stringify(summarize(migration), null, 2) : page(migration));
        return;
      }
      const migrations = await client.list();
      print(json ? JSON.stringify(migrations.map(summarize), null, 2) : table(migrations, where.namespace === undefined));
      return;
    }
    case 'watch':
      await watch(client, { json, withNamespace: where.namespace === undefined, timeoutMs: invocation.timeoutMs, tty: process.stdout.isTTY, write: print });
      return;
    case 'pause':
      report(await pause(client, required(invocation)), json);
      return;
    case 'resume':
      report(await resume(client, required(invocation)), json);
      return;
    case 'promote':
    case 'abort':
    case 'retry':
      report(await request(client, required(invocation), invocation.verb), json);
  }
}

function required(invocation: Invocation): string {
  if (invocation.name === undefined) throw new UsageError(`${invocation.verb} needs a migration name`);
  return invocation.name;
}

function report(result: VerbResult, json: boolean): void {
  print(json ? JSON.stringify({ message: result.message, migration: summarize(result.migration) }, null, 2) : result.message);
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await run(parseArgs(argv));
    return 0;
  } catch (error) {
    if (error instanceof HelpRequested) {
      print(error.message);
      return 0;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    const message = error instanceof CliError ? error.message : describe(error);
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const body = (error as { body?: unknown }).body;
    const detail = typeof body === 'string' ? body : '';
    const parsed = detail.startsWith('{') ? (JSON.parse(detail) as { message?: string }).message : undefined;
    return parsed ?? error.message;
  }
  return String(error);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`error: ${describe(error)}\n`);
  process.exitCode = 1;
});
