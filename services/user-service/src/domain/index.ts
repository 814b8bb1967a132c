export { USER_MIGRATIONS_DIR, USER_SCHEMA, openUserDatabase, type UserDatabase, type UserDatabaseOptions, type UserTransaction } from './database.js';
export { pruneUserEffects } from './effects.js';
export { createUserHandlers, type UserContextDeps } from './handlers.js';
export { UserOutboxStore, flushUserOutbox } from './outbox-store.js';
