/**
 * BENCH_STATEMENTS=1 (reply-latency): which SQL statements each process runs per message. The
 * bench's own PostgreSQL (a throwaway cluster of its test bed) logs every statement during the
 * measured run only (`log_statement = all`, set with ALTER SYSTEM and a reload, turned off after);
 * the server log is then read from where the run started. A statement belongs to a context by the
 * schema it names (Prisma qualifies every table); BEGIN/COMMIT and the like, which name none, go to
 * the context of the backend (pid) that ran them: each backend is one pool connection of one process.
 */
import pg from 'pg';
import { readFileSync, statSync } from 'node:fs';

export interface StatementLog {
  /** Stops logging and counts what was logged since start, per context and per statement shape. */
  stop(): Promise<Map<string, Map<string, number>>>;
}

async function setLogging(serverUrl: string, on: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(on ? "ALTER SYSTEM SET log_statement = 'all'" : 'ALTER SYSTEM RESET log_statement');
    await admin.query(on ? "ALTER SYSTEM SET log_line_prefix = '[%p] %d '" : 'ALTER SYSTEM RESET log_line_prefix');
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
}

/** `statement: BEGIN` or `execute <unnamed>: SELECT …` (the extended protocol Prisma's adapter uses). */
const LINE = /^\[(\d+)\] (\S+) LOG: {2}(?:statement|execute [^:]*): (.*)$/u;

/** A statement's shape: literals and parameter lists folded, so one query is one line of the count. */
function shape(sql: string): string {
  return sql.replace(/\$\d+(?:\s*,\s*\$\d+)*/gu, '$n').replace(/'[^']*'/gu, "'…'").replace(/\s+/gu, ' ').slice(0, 240);
}

export async function startStatementLog(serverUrl: string, logPath: string, database: string): Promise<StatementLog> {
  await setLogging(serverUrl, true);
  const from = statSync(logPath).size;
  return {
    async stop() {
      await setLogging(serverUrl, false);
      const text = readFileSync(logPath, 'utf8').slice(from);
      const contextOfPid = new Map<string, string>();
      const statements: { pid: string; sql: string }[] = [];
      for (const line of text.split('\n')) {
        const match = LINE.exec(line);
        if (match === null || match[2] !== database) continue;
        const [, pid = '', , sql = ''] = match;
        const schema = /"(\w+_service)"\./u.exec(sql)?.[1];
        if (schema !== undefined) contextOfPid.set(pid, schema);
        statements.push({ pid, sql });
      }
      const counts = new Map<string, Map<string, number>>();
      for (const { pid, sql } of statements) {
        const context = contextOfPid.get(pid) ?? 'unattributed';
        const perContext = counts.get(context) ?? new Map<string, number>();
        const key = shape(sql);
        perContext.set(key, (perContext.get(key) ?? 0) + 1);
        counts.set(context, perContext);
      }
      return counts;
    },
  };
}

/** Prints each context's statements per message, most frequent first. */
export function printStatements(counts: Map<string, Map<string, number>>, messages: number): void {
  for (const [context, perShape] of counts) {
    const total = [...perShape.values()].reduce((sum, n) => sum + n, 0);
    console.log(`  SQL of ${context}: ${(total / messages).toFixed(2)} statements per message (${String(total)} over ${String(messages)})`);
    for (const [sql, n] of [...perShape].sort((a, b) => b[1] - a[1])) console.log(`    ${(n / messages).toFixed(2)}  ${sql}`);
  }
}
