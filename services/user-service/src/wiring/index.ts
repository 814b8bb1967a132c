export { startUserContext, type UserContext, type UserContextHost, type UserContextOptions } from './user-context.js';
