import { describe, expect, it } from '@jest/globals';
import { DatabaseUnavailableError, LockNotAvailableError } from './errors.js';
import { asReported, isDatabaseUnavailable } from './unavailable.js';

/** A driver error as node-postgres gives it: a message and maybe a code. */
function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('isDatabaseUnavailable', () => {
  it('is true for a server that ended the session, is starting or stopping, or cannot be reached', () => {
    expect(isDatabaseUnavailable(driverError('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isDatabaseUnavailable(driverError('the database system is starting up', '57P03'))).toBe(true);
    expect(isDatabaseUnavailable(driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(driverError('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(driverError('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([driverError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'x'))).toBe(true);
  });

  it('is false for a refused login, a missing table, a lock timeout', () => {
    expect(isDatabaseUnavailable(driverError('password authentication failed for user "x"', '28P01'))).toBe(false);
    expect(isDatabaseUnavailable(driverError('relation "public.users" does not exist', '42P01'))).toBe(false);
    expect(isDatabaseUnavailable(driverError('canceling statement due to lock timeout', '55P03'))).toBe(false);
  });
});

describe('asReported', () => {
  it('reports a lost database as DatabaseUnavailableError, anything else as it is', () => {
    const reported = asReported(driverError('terminating connection due to administrator command', '57P01'));
    expect(reported).toBeInstanceOf(DatabaseUnavailableError);
    expect((reported as Error).message).toBe('the database is unavailable (terminating connection due to administrator command); run the step again once it answers');
    const locked = new LockNotAvailableError('user_service', 21, 50);
    expect(asReported(locked)).toBe(locked);
    const sql = driverError('syntax error', '42601');
    expect(asReported(sql)).toBe(sql);
  });
});
