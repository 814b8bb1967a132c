/** A database of one's own on the test bed's PostgreSQL (the bed's user is a superuser). */
import pg from 'pg';

/** Creates database `name` (letters, digits, _) and returns its URL on the same server. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/u.test(name)) throw new RangeError(`"${name}" is not a plain PostgreSQL database name`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Database `name` owned by a new login `owner` with `password`, as an SRE hands a managed
 * database to an install (the chart's `postgresql.user`/`existingSecret`); returns the server's
 * superuser URL of that database. The password goes to the server only (a secret).
 */
export async function createOwnedDatabase(serverUrl: string, name: string, owner: string, password: string): Promise<string> {
  for (const identifier of [name, owner]) if (!/^[a-z_][a-z0-9_]{0,62}$/u.test(identifier)) throw new RangeError(`"${identifier}" is not a plain PostgreSQL identifier`);
  if (!/^[A-Za-z0-9_-]+$/u.test(password)) throw new RangeError('the owner\'s password must be letters, digits, - or _ (it is written into CREATE ROLE)');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE DATABASE ${name} OWNER ${owner}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
