export * from './errors.js';
export * from './events.js';
export * from './requests.js';
export * from './subjects.js';
export * from './gen/nova/v1/bot_pb.js';
export * from './gen/nova/v1/errors_pb.js';
export * from './gen/nova/v1/telegram_pb.js';
export * from './gen/nova/v1/user_pb.js';
