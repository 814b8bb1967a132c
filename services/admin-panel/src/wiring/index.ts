export { startAdminPanel, type AdminPanelHost, type AdminPanelOptions, type AdminPanelSettings } from './admin-context.js';
export { adminPanelConfig, optionalAdminPanelConfig, type AdminPanelConfig } from './config.js';
export { kubeMigrations, migrationView } from './kube-migrations.js';
