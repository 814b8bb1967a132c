/** Base of every error the schema move throws; `schema` names the context it concerns ('' for none). */
export class SchemaMoveError extends Error {
  override readonly name: string = 'SchemaMoveError';
  constructor(
    message: string,
    readonly schema: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The move plan is malformed: a name that is not a plain SQL identifier, a table listed twice, ... */
export class InvalidMovePlanError extends SchemaMoveError {
  override readonly name = 'InvalidMovePlanError';
}

/** The catalogue is in a shape no step of the move produces (a table in both schemas, a table missing). */
export class UnexpectedCatalogueError extends SchemaMoveError {
  override readonly name = 'UnexpectedCatalogueError';
}

/** The swap could not take its locks within lock_timeout in any of its attempts; nothing was changed. */
export class LockNotAvailableError extends SchemaMoveError {
  override readonly name = 'LockNotAvailableError';
  constructor(
    schema: string,
    readonly attempts: number,
    readonly lockTimeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`context ${schema}: no lock within ${String(lockTimeoutMs)} ms in ${String(attempts)} attempts; nothing was changed`, schema, options);
  }
}

/** A verification found a difference; `problems` says which (the caller reverses the context). */
export class VerificationFailedError extends SchemaMoveError {
  override readonly name = 'VerificationFailedError';
  constructor(
    schema: string,
    readonly problems: readonly string[],
  ) {
    super(`context ${schema}: verification failed: ${problems.join('; ')}`, schema);
  }
}

/** pg_dump / pg_restore failed; `stderr` is scrubbed of the password. */
export class BackupError extends SchemaMoveError {
  override readonly name = 'BackupError';
  constructor(
    message: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, '', options);
  }
}

/** A test-only fault hook stopped the sequence at a named point (crash-safety tests). */
export class InjectedFaultError extends SchemaMoveError {
  override readonly name = 'InjectedFaultError';
}

/**
 * PostgreSQL could not be reached or ended the session (restarting, shutting down, the network):
 * the step is to be run again once it is back. A swap's transaction that the server ended was rolled
 * back; one whose COMMIT went through but whose answer was lost is found done by the re-run, which reads
 * the catalogue first. `cause` is the driver's error.
 */
export class DatabaseUnavailableError extends SchemaMoveError {
  override readonly name = 'DatabaseUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(`the database is unavailable (${message}); run the step again once it answers`, '', options);
  }
}
