export * from './adapter.js';
export * from './checksum.js';
export * from './errors.js';
export * from './history.js';
export * from './migrations-dir.js';
export * from './plan.js';
export * from './runner.js';
export * from './view-guard.js';
