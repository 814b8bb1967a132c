#!/usr/bin/env node
/**
 * nova-schema-move <prepare|move|reverse|verify|backup|restore|status> --plan plan.json [--context <schema>]
 *   [--dir <backup folder>] [--file <backup file> --sha256 <hex>] [--lock-timeout-ms 50] [--retries 20]
 *
 * One JSON object on stdout per run (`{"ok":true,...}` or `{"ok":false,"error":{name,message,...}}`),
 * progress on stderr. The database URL comes from DATABASE_URL (the migration login), never from the
 * command line (it would show in `ps`). A Kubernetes Job or a local process runs it; every command
 * is safe to run again after a crash.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { backup, restore } from './backup.js';
import { moveAll, moveContext, prepare, reverseAll, reverseContext, status, verifyAll } from './engine.js';
import { SchemaMoveError } from './errors.js';
import { contextOf, parsePlan } from './plan.js';

const usage =
  'usage: DATABASE_URL=postgresql://... nova-schema-move <prepare|move|reverse|verify|backup|restore|status> --plan <plan.json> ' +
  '[--context <schema>] [--dir <backup folder>] [--file <backup> --sha256 <hex>] [--lock-timeout-ms N] [--retries N]';

const COMMANDS = ['prepare', 'move', 'reverse', 'verify', 'backup', 'restore', 'status'] as const;
type Command = (typeof COMMANDS)[number];

async function run(argv: readonly string[]): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      plan: { type: 'string' },
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
  if (!command || !COMMANDS.includes(command) || !values.plan || !url) throw new UsageError(usage);
  const plan = parsePlan(readFileSync(values.plan, 'utf8'));
  if (command === 'backup') {
    if (!values.dir) throw new UsageError('backup needs --dir');
    return { backup: await backup(url, values.dir) };
  }
  const options = {
    ...(values['lock-timeout-ms'] ? { lockTimeoutMs: Number(values['lock-timeout-ms']) } : {}),
    ...(values.retries ? { retries: Number(values.retries) } : {}),
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  const client = new pg.Client({ connectionString: url });
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
    await client.end();
  }
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ ok: true, ...(result as object) })}\n`);
    const verified = (result as { verified?: boolean }).verified;
    process.exitCode = verified === false ? 3 : 0;
  },
  (error: unknown) => {
    const e = error as Error & { schema?: string; problems?: unknown; stderr?: string };
    process.stdout.write(`${JSON.stringify({ ok: false, error: { name: e.name, message: e.message, ...(error instanceof SchemaMoveError ? { schema: e.schema, problems: e.problems, stderr: e.stderr } : {}) } })}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
