/** A database of one's own on the test bed's PostgreSQL (the bed's user is a superuser). */
import pg from 'pg';

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/u;

/** Runs `statements` in order as the server's superuser (the URL's login). */
async function asSuperuser(serverUrl: string, statements: readonly string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** The URL of database `name` on the same server, as the same login. */
function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates database `name` (letters, digits, _) and returns its URL on the same server. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  if (!PLAIN_IDENTIFIER.test(name)) throw new RangeError(`"${name}" is not a plain PostgreSQL database name`);
  await asSuperuser(serverUrl, [`CREATE DATABASE ${name}`]);
  return databaseUrl(serverUrl, name);
}

/**
 * Database `name` owned by a new login `owner` with `password`, as an SRE hands a managed
 * database to an install (the chart's `postgresql.user`/`existingSecret`); returns the server's
 * superuser URL of that database. The password goes to the server only (a secret).
 */
export async function createOwnedDatabase(serverUrl: string, name: string, owner: string, password: string): Promise<string> {
  for (const identifier of [name, owner]) if (!PLAIN_IDENTIFIER.test(identifier)) throw new RangeError(`"${identifier}" is not a plain PostgreSQL identifier`);
  if (!/^[A-Za-z0-9_-]+$/u.test(password)) throw new RangeError('the owner\'s password must be letters, digits, - or _ (it is written into CREATE ROLE)');
  await asSuperuser(serverUrl, [`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`, `CREATE DATABASE ${name} OWNER ${owner}`]);
  return databaseUrl(serverUrl, name);
}
