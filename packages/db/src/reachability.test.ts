import { describe, expect, it } from '@jest/globals';
import { freePort } from '@nova/testbed';
import { databaseAddress, isTransientConnectionError, pingDatabase } from './reachability.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isTransientConnectionError', () => {
  it('waits for a server that is down, restarting or starting, and not for a wrong password, database or statement', () => {
    const transient = [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('getaddrinfo ENOTFOUND postgres', 'ENOTFOUND'),
      withCode('the database system is starting up', '57P03'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''), {}),
      new Error('migration failed', { cause: withCode('connect ECONNRESET', 'ECONNRESET') }),
    ];
    const lasting = [
      withCode('password authentication failed for user "nova"', '28P01'),
      withCode('database "nova" does not exist', '3D000'),
      withCode('relation "users" does not exist', '42P01'),
      new Error('migration 2026_x in schema user_service was changed after it was applied'),
      'ECONNREFUSED',
      undefined,
    ];
    expect(transient.map(isTransientConnectionError)).toEqual(transient.map(() => true));
    expect(lasting.map(isTransientConnectionError)).toEqual(lasting.map(() => false));
  });
});

describe('databaseAddress', () => {
  it('is host:port without credentials, 5432 when the URL names no port', () => {
    expect(databaseAddress('postgresql://nova:hunter2@db.example:6543/nova?sslmode=require')).toBe('db.example:6543');
    expect(databaseAddress('postgres://nova:hunter2@db/nova')).toBe('db:5432');
    expect(databaseAddress('not a url hunter2')).toBe('(unparsable database URL)');
  });
});

describe('pingDatabase', () => {
  it('rejects with a transient error when nothing listens, and names no password', async () => {
    const port = await freePort();
    const failure = await pingDatabase(`postgresql://nova:hunter2@127.0.0.1:${String(port)}/nova`, { timeoutMs: 2_000 }).then(() => undefined, (error: unknown) => error);
    expect(isTransientConnectionError(failure)).toBe(true);
    expect((failure as Error).message).not.toContain('hunter2');
  });
});
