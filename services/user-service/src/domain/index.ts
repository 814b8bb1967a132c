export { USER_MIGRATIONS_DIR, USER_SCHEMA, openUserDatabase, type UserDatabase, type UserDatabaseOptions, type UserTransaction } from './database.js';
export { pruneUserHistory } from './effects.js';
export { createUserHandlers, type UserContextDeps } from './handlers.js';
export { userOutboxStore, flushUserOutbox } from './outbox-store.js';
