/** Base of every error the migration runner throws; `schema` says whose history it concerns. */
export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
  constructor(
    message: string,
    readonly schema: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The migrations folder is not in Prisma's format (`<name>/migration.sql`, `migration_lock.toml`). */
export class MigrationsDirError extends MigrationError {
  override readonly name = 'MigrationsDirError';
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message, '');
  }
}

/** A schema name that is not a plain lower-case SQL identifier (we never quote user input blindly). */
export class InvalidSchemaNameError extends MigrationError {
  override readonly name = 'InvalidSchemaNameError';
  constructor(schema: string) {
    super(`schema name "${schema}" must match ^[a-z_][a-z0-9_]{0,62}$`, schema);
  }
}

/**
 * An applied migration's file no longer matches the checksum recorded when it was applied: the
 * database was built from different SQL than the folder holds. Nothing is applied until a person
 * decides (restore the file, or record the change deliberately).
 */
export class ChecksumMismatchError extends MigrationError {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    schema: string,
    readonly migration: string,
    readonly recordedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${migration} in schema ${schema} was changed after it was applied ` +
        `(recorded checksum ${recordedChecksum}, file now ${fileChecksum})`,
      schema,
    );
  }
}

/**
 * `_prisma_migrations` holds a migration that started and never finished nor was rolled back
 * (Prisma's P3009; this runner never leaves one, `prisma migrate deploy` can). Resolve it with
 * `prisma migrate resolve` or by hand before anything else is applied.
 */
export class UnfinishedMigrationError extends MigrationError {
  override readonly name = 'UnfinishedMigrationError';
  constructor(
    schema: string,
    readonly migration: string,
    readonly logs: string | null,
  ) {
    super(`migration ${migration} in schema ${schema} started but never finished; resolve it before migrating`, schema);
  }
}

/** A migration's SQL failed; its transaction was rolled back, so nothing of it remains. */
export class MigrationFailedError extends MigrationError {
  override readonly name = 'MigrationFailedError';
  constructor(
    schema: string,
    readonly migration: string,
    /** PostgreSQL's SQLSTATE, e.g. 42P01, when the server reported one. */
    readonly sqlState: string | undefined,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`migration ${migration} in schema ${schema} failed and was rolled back: ${detail}`, schema, { cause });
  }
}

/** Another runner (or `prisma migrate`) held the migration lock for longer than we would wait. */
export class MigrationLockTimeoutError extends MigrationError {
  override readonly name = 'MigrationLockTimeoutError';
  constructor(
    schema: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for the migration lock (schema ${schema})`, schema);
  }
}

/**
 * A pending migration changes the structure of a relation that is, in this database, a view of a
 * table the legacy schema owns (stage 7's "before", docs/database-split.md): ALTER TABLE, an index
 * or a foreign key on a view fails. Refused before any pending migration is applied, so an upgrade
 * stops whole instead of half way.
 */
export class MigrationOnViewError extends MigrationError {
  override readonly name = 'MigrationOnViewError';
  constructor(
    schema: string,
    readonly migration: string,
    /** `<schema>.<name>`, the view the migration's DDL names. */
    readonly relation: string,
    /** The table the view reads, `<schema>.<name>`: where the change must be made. */
    readonly table: string,
  ) {
    super(
      `migration ${migration} changes ${relation}, which here is a view of ${table} (stage 7's "before": ` +
        `the legacy schema owns that table until the move): nothing was applied. Make the change in the ` +
        `legacy schema's migrations, or after stage 7 moved the table (docs/database-split.md)`,
      schema,
    );
  }
}
