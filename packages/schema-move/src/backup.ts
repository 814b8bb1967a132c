/**
 * The plan's last resort: a pg_dump (custom format) of the whole database taken before the first
 * move, and a restore from it. The password goes to pg_dump/pg_restore through PGPASSWORD, never on
 * the command line (`ps` shows arguments), and is scrubbed from any error text.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { locateTables } from './catalogue.js';
import { BackupError } from './errors.js';
import { legacySchemaOf, type MovePlan } from './plan.js';

/**
 * Debian's /usr/bin/pg_dump is a wrapper that picks a version by cluster configuration; the server's
 * own major's binary (/usr/lib/postgresql/<major>/bin, newest first) is what the test bed runs, and
 * pg_dump refuses a server newer than itself. NOVA_PG_BIN names another folder.
 */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const dirs = process.env.NOVA_PG_BIN ? [process.env.NOVA_PG_BIN] : [];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    dirs.push(...readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => join(root, v, 'bin')));
  }
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path)) ?? name;
}

/** The URL without its password, and the password for PGPASSWORD. */
function splitSecret(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), password };
}

function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join('***') : text;
}

function runTool(tool: string, args: string[], password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { env: { ...process.env, PGPASSWORD: password }, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new BackupError(`${tool.split('/').pop() ?? tool} failed (exit ${String(error.code ?? 'signal')})`, scrub(stderr, password)));
      else resolve();
    });
  });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Backup {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** pg_dump -Fc of the database into `dir` (created if needed), named by the time it was taken. */
export async function backup(databaseUrl: string, dir: string): Promise<Backup> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `nova-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`);
  const { url, password } = splitSecret(databaseUrl);
  await runTool(pgTool('pg_dump'), ['--format=custom', `--file=${path}`, `--dbname=${url}`], password);
  return { path, bytes: statSync(path).size, sha256: await sha256(path) };
}

/**
 * Restores the backup over the database: first drops the plan's tables and views wherever they
 * are now (after a move a name is a table where the dump has a view, which `--clean` cannot drop),
 * then `pg_restore --clean --if-exists --single-transaction`. Rows written since the backup are lost:
 * that is why it is the last resort. `expectSha256` refuses a file that changed since it was taken.
 */
export async function restore(client: pg.ClientBase, databaseUrl: string, plan: MovePlan, backupPath: string, expectSha256?: string): Promise<void> {
  if (expectSha256 !== undefined && (await sha256(backupPath)) !== expectSha256) {
    throw new BackupError(`backup ${backupPath} does not match its recorded sha256`, '');
  }
  const legacy = legacySchemaOf(plan);
  await client.query('BEGIN');
  try {
    for (const context of plan.contexts) {
      for (const place of await locateTables(client, legacy, context.schema, context.tables)) {
        for (const [schema, kind] of [[legacy, place.legacy], [context.schema, place.context]] as const) {
          if (kind === 'view') await client.query(`DROP VIEW ${schema}.${place.table} CASCADE`);
        }
        for (const [schema, kind] of [[legacy, place.legacy], [context.schema, place.context]] as const) {
          if (kind === 'table') await client.query(`DROP TABLE ${schema}.${place.table} CASCADE`);
        }
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const { url, password } = splitSecret(databaseUrl);
  await runTool(pgTool('pg_restore'), ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', `--dbname=${url}`, backupPath], password);
}
