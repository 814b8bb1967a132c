/**
 * The packet that crashed the monolith when PostgreSQL stopped under it (issue 21,
 * test/services/postgres-restart.test.ts): a new connection's first answer carrying both
 * ReadyForQuery and a FATAL 57P01. A real server sends that only in a moment a test cannot aim at
 * (a session that has just started when the fast shutdown begins), so a loopback server written
 * here plays exactly those bytes, to every connection @nova/db opens: the services' pools and the
 * migration runner's session.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prismaPgAdapter } from './adapter.js';
import { isTransientConnectionError } from './reachability.js';
import { migrate } from './runner.js';

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

const AUTHENTICATION_OK = message('R', Buffer.from([0, 0, 0, 0]));
const READY_FOR_QUERY = message('Z', Buffer.from('I'));
const ADMIN_SHUTDOWN = message('E', Buffer.concat([
  Buffer.from('SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0'),
  Buffer.from([0]),
]));

/** Answers every startup with the three messages in one write, then closes. */
async function stoppingServer(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => { socket.end(Buffer.concat([AUTHENTICATION_OK, READY_FOR_QUERY, ADMIN_SHUTDOWN])); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('migrate', () => {
  it('a session the server ends as it opens fails the migration with a transient error (prepareDatabase waits), and nothing is thrown at large', async () => {
    const server = await stoppingServer();
    const { port } = server.address() as { port: number };
    const migrationsDir = mkdtempSync(join(tmpdir(), 'nova-db-fatal-'));
    try {
      writeFileSync(join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');
      mkdirSync(join(migrationsDir, '20260101000000_init'));
      writeFileSync(join(migrationsDir, '20260101000000_init', 'migration.sql'), 'CREATE TABLE a (id INT);\n');
      const failure = await migrate({ connectionString: `postgresql://nova@127.0.0.1:${String(port)}/nova`, schema: 'user_service', migrationsDir }).then(() => undefined, (error: unknown) => error);
      expect(isTransientConnectionError(failure)).toBe(true);
    } finally {
      rmSync(migrationsDir, { recursive: true, force: true });
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('prismaPgAdapter', () => {
  it('a connection the server ends as it opens fails the transaction that asked for it, and nothing is thrown at large', async () => {
    const server = await stoppingServer();
    const { port } = server.address() as { port: number };
    const adapter = await prismaPgAdapter({ connectionString: `postgresql://nova@127.0.0.1:${String(port)}/nova`, schema: 'user_service' }).connect();
    try {
      await expect(adapter.startTransaction()).rejects.toThrow();
    } finally {
      await adapter.dispose();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
