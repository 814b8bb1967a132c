/**
 * Which driver errors mean "PostgreSQL is not there right now" rather than "the step is wrong". The
 * same rules as `@nova/db`'s isTransientConnectionError (packages/db/src/reachability.ts), kept here
 * because the CLI, the Job image's entry point, depends on `pg` alone.
 */
import { DatabaseUnavailableError, SchemaMoveError } from './errors.js';

/** Node's codes for a server that cannot be reached. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** Class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now. */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** node-postgres' messages, without a code, for a connection the server closed or that already failed. */
const LOST_CONNECTION = /^Connection terminated|^Client has encountered a connection error and is not queryable|^Client was closed and is not queryable/u;

/** True when `error` (or its cause, or one of an AggregateError's) says the server is unreachable or ended the session. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 20) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/u.test(code) && unavailableSqlState(code)))) return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
    // By shape, not instanceof: an error from another realm is no AggregateError here.
    const { errors } = current as { errors?: unknown };
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
    queue.push((current as { cause?: unknown }).cause);
  }
  return false;
}

/**
 * What the CLI reports for `error`: a driver error that says the database went away becomes a
 * DatabaseUnavailableError (the operator runs the step again later instead of rolling back); the
 * engine's own errors and every other error are reported as they are.
 */
export function asReported(error: unknown): unknown {
  if (error instanceof SchemaMoveError || !isDatabaseUnavailable(error)) return error;
  return new DatabaseUnavailableError((error as { message?: unknown }).message?.toString() ?? String(error), { cause: error });
}
