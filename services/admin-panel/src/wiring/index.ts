export { startAdminPanel, type AdminPanelHost, type AdminPanelOptions, type AdminPanelSettings } from './admin-context.js';
export { adminPanelConfig, optionalAdminPanelConfig, type AdminPanelConfig } from './config.js';
export { kubeConfigFor, kubeMigrations, migrationView } from './kube-migrations.js';
export { backoffMs, KubeMigrationWatch, MigrationsWatchError, watchEnd, type KubeMigrationWatchOptions, type WatchEnd } from './kube-migration-watch.js';
