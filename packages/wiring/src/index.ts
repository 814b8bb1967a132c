export { toBusError, toDomainError } from './errors.js';
export { handlerContext, serveContext } from './serve-context.js';
export { busEventPublisher, EventMsgIdError } from './event-publisher.js';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export { databaseReachable, migrateSchemas, prepareDatabase, type DatabaseStartHost, type QueryableDatabase, type SchemaMigrations } from './database.js';
export { busUserLocales, type UserLocales } from './user-locales.js';
