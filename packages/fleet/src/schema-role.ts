/**
 * A PostgreSQL login granted one schema's data and nothing else, as each service is meant to run
 * in production (docs/services.md, "The users and bots contexts": Deployment); migrations stay with a
 * login that may create. `revoke()` takes the data away while the process keeps running and
 * its readiness check (a bare `SELECT 1`) keeps passing: a deployed service that fails every
 * request, which is the fault a canary exists to catch (the stage-2 test and demo inject it).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A schema or role name that cannot be quoted into SQL safely. */
export class SchemaRoleError extends Error {
  override readonly name = 'SchemaRoleError';
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function identifier(value: string, what: string): string {
  if (!IDENTIFIER.test(value)) throw new SchemaRoleError(`${what} "${value}" must be a lower-case SQL identifier`);
  return value;
}

export class SchemaRole {
  private constructor(
    private readonly adminUrl: string,
    readonly role: string,
    readonly schema: string,
    private readonly password: string,
  ) {}

  /**
   * Creates `role` (default `<schema>_<random>`) with a random password, granted USAGE on `schema`
   * and DML on its tables and sequences. The schema's tables must exist (migrate first).
   */
  static async create(adminUrl: string, schema: string, role = `${schema}_${randomBytes(3).toString('hex')}`): Promise<SchemaRole> {
    const created = new SchemaRole(adminUrl, identifier(role, 'role'), identifier(schema, 'schema'), randomBytes(16).toString('hex'));
    await created.run(`CREATE ROLE ${created.role} LOGIN PASSWORD '${created.password}'`, `GRANT USAGE ON SCHEMA ${created.schema} TO ${created.role}`);
    await created.grant();
    return created;
  }

  /** The database URL as this role (it carries the password: a secret). */
  url(): string {
    const url = new URL(this.adminUrl);
    url.username = this.role;
    url.password = this.password;
    return url.toString();
  }

  /**
   * DML on every table and view of the schema, and USAGE on its sequences and on those of the tables
   * its views read (again, after revoke). In stage 7's "before" a context's schema holds views of
   * `public`'s tables, whose serial sequences stay with the tables: an INSERT through a view runs the
   * default's `nextval()` as this login (docs/database-split.md, "Logins and grants").
   */
  async grant(): Promise<void> {
    await this.run(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${this.schema} TO ${this.role}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${this.schema} TO ${this.role}`,
      ...(await this.viewSequences()).map((sequence) => `GRANT USAGE, SELECT ON SEQUENCE ${sequence} TO ${this.role}`),
    );
  }

  /** Every statement on the schema's tables now fails with "permission denied"; connections stay up. */
  async revoke(): Promise<void> {
    await this.run(
      `REVOKE ALL ON ALL TABLES IN SCHEMA ${this.schema} FROM ${this.role}`,
      `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${this.schema} FROM ${this.role}`,
      ...(await this.viewSequences()).map((sequence) => `REVOKE ALL ON SEQUENCE ${sequence} FROM ${this.role}`),
    );
  }

  /** Sequences owned by (serial) or identity of the tables this schema's views read, already quoted. */
  private async viewSequences(): Promise<string[]> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `SELECT DISTINCT format('%I.%I', sn.nspname, s.relname) AS name
           FROM pg_class v JOIN pg_namespace vn ON vn.oid = v.relnamespace
           JOIN pg_rewrite r ON r.ev_class = v.oid
           JOIN pg_depend dv ON dv.objid = r.oid AND dv.classid = 'pg_rewrite'::regclass AND dv.refclassid = 'pg_class'::regclass
           JOIN pg_depend ds ON ds.refobjid = dv.refobjid AND ds.refclassid = 'pg_class'::regclass AND ds.deptype IN ('a', 'i')
           JOIN pg_class s ON s.oid = ds.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace
          WHERE vn.nspname = $1 AND v.relkind = 'v' AND sn.nspname <> $1
          ORDER BY 1`,
        [this.schema],
      );
      return rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  }

  /** Drops the role (its sessions must be gone: stop the process first). */
  async drop(): Promise<void> {
    await this.run(`DROP OWNED BY ${this.role}`, `DROP ROLE IF EXISTS ${this.role}`);
  }

  private async run(...statements: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }
}
