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
