export { ADMIN_BODY_LIMIT, ADMIN_PREFIX, createAdminPanel, safeNext, type AdminPanelDeps } from './app.js';
export { databaseAuditLog, type AuditEntryView, type AuditLog, type AuditStart } from './audit.js';
export { ADMIN_MIGRATIONS_DIR, ADMIN_SCHEMA, openAdminDatabase, type AdminDatabase } from './database.js';
export { NO_KUBERNETES, type MigrationsAnswer, type MigrationsSource, type MigrationView } from './migrations.js';
export { clearedSessionCookie, cookieValue, MIN_SESSION_KEY_BYTES, SESSION_COOKIE, SessionKeyError, SessionSigner, sessionCookie, type AdminSession } from './session.js';
export { LoginRefusedError, signTelegramLogin, verifyTelegramLogin, type TelegramLogin } from './telegram-login.js';
export { databaseSignInLinkLedger, type SignInLinkLedger } from './sign-in-links.js';
export { databaseStatsHistory, slotOf, StatsSampler, takeSample, type RevenueFigure, type StatsHistory, type StatsSample, type StatsSamplerOptions } from './stats-history.js';
