export * from './errors.js';
export * from './events.js';
export * from './handler.js';
export * from './outbox.js';
export * from './validate.js';
export * from './prisma-outbox.js';
export * from './keyed-serial.js';
export * from './admin-sign-in-link.js';
