#!/usr/bin/env node
/**
 * `nova-db migrate --schema user_service --dir services/user-service/prisma/migrations`
 * applies a service's migrations where `prisma migrate deploy` cannot run (no schema engine);
 * the database URL comes from DATABASE_URL, never from the command line (it would show in `ps`).
 */
import { parseArgs } from 'node:util';
import { MigrationError } from './errors.js';
import { migrate } from './runner.js';

const usage = 'usage: DATABASE_URL=postgresql://... nova-db migrate [--schema <schema>, default: ?schema= of the URL] --dir <migrations folder> [--lock-timeout-ms N]';

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      dir: { type: 'string' },
      'lock-timeout-ms': { type: 'string' },
    },
  });
  const url = process.env.DATABASE_URL;
  // Prisma's own convention: postgresql://...?schema=user_service names the schema.
  const schema = values.schema ?? (url ? (new URL(url).searchParams.get('schema') ?? undefined) : undefined);
  if (positionals[0] !== 'migrate' || schema === undefined || values.dir === undefined || !url) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const timeout = values['lock-timeout-ms'];
  const result = await migrate({
    connectionString: url,
    schema,
    migrationsDir: values.dir,
    ...(timeout === undefined ? {} : { lockTimeoutMs: Number(timeout) }),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `schema ${result.schema}: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied` +
      (result.missingLocally.length > 0 ? `, in the database but not in the folder: ${result.missingLocally.join(', ')}` : '') +
      '\n',
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof MigrationError ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
