export { parseOptions, type DemoOptions } from './options.js';
export type { DemoReport } from './report.js';
export * from './chart-fleet.js';
