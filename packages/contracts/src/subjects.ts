import { SubjectError } from './errors.js';

/**
 * The names everything on NATS is addressed by (ARCHITECTURE.md, Decided 2, 3 and 5), in one
 * place so that a publisher and its consumers cannot drift apart:
 *
 *   events     nova.<context>.<event>           stream NOVA
 *   updates    telegram.update.<bot>.<chat>     stream TELEGRAM, msgID <bot>:<update_id>
 *   requests   svc.<context>.<method>           request/reply, no stream
 *   dead       dlq.<stream>.<original subject>  stream DLQ
 *
 * During a bus migration the legacy side listens on marked subjects (routing.ts, sideSubject).
 */

/** JetStream stream names. */
export const STREAMS = {
  /** Domain events of every context. */
  NOVA: 'NOVA',
  /** Telegram updates as the webhook gateway accepted them. */
  TELEGRAM: 'TELEGRAM',
  /** Messages that exhausted max_deliver, kept for inspection and replay. */
  DLQ: 'DLQ',
} as const;
export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];

/** The subjects each stream captures. */
export const STREAM_SUBJECTS: Readonly<Record<StreamName, readonly string[]>> = {
  NOVA: ['nova.>'],
  // telegram.legacy.>: updates addressed to the legacy side during a bus migration (routing.ts).
  TELEGRAM: ['telegram.update.>', 'telegram.legacy.>'],
  DLQ: ['dlq.>'],
};

/** Bounded contexts, as they appear in subjects. */
export const CONTEXTS = ['user', 'bot', 'publisher', 'payment', 'notification'] as const;
export type ContextName = (typeof CONTEXTS)[number];

/** Events each context publishes. A new event needs its message in proto/ and in events.ts. */
export const EVENTS = {
  user: ['registered'],
  bot: ['added', 'removed'],
  publisher: ['post_published', 'publication_requested', 'announcement_requested'],
  payment: ['subscription_activated', 'subscription_expired'],
  notification: [],
} as const satisfies Record<ContextName, readonly string[]>;
export type EventName<C extends ContextName> = (typeof EVENTS)[C][number];
export type EventSubject = { [C in ContextName]: `nova.${C}.${EventName<C>}` }[ContextName];

/** Request methods each context answers. A new method needs its rpc in proto/ and in requests.ts. */
export const METHODS = {
  user: ['get', 'upsert', 'stats', 'search', 'set_blocked', 'list_recipients', 'set_language'],
  bot: ['list', 'get', 'remove', 'set_greeting', 'webhook_auth', 'sealed_token', 'set_blocked', 'stats'],
  publisher: ['link_channel', 'unlink_channel', 'list_channels', 'create_post', 'update_post', 'cancel_post', 'list_posts', 'publish_due', 'grant_posting', 'record_business_connection', 'post_story', 'list_stories', 'list_due', 'announce', 'announcement_status', 'list_announcements', 'stats'],
  payment: ['plans', 'create_invoice', 'entitlement', 'list', 'expire_due', 'expiring', 'grant', 'revoke', 'stats'],
  notification: [],
} as const satisfies Record<ContextName, readonly string[]>;
export type MethodName<C extends ContextName> = (typeof METHODS)[C][number];
export type ServiceSubject = { [C in ContextName]: `svc.${C}.${MethodName<C>}` }[ContextName];

export function eventSubject<C extends ContextName, E extends EventName<C>>(context: C, event: E): `nova.${C}.${E}` {
  if (!(EVENTS[context] as readonly string[]).includes(event)) {
    throw new SubjectError(`context "${context}" publishes no event "${event}"`, `${context}.${event}`);
  }
  return `nova.${context}.${event}`;
}

export function serviceSubject<C extends ContextName, M extends MethodName<C>>(context: C, method: M): `svc.${C}.${M}` {
  if (!(METHODS[context] as readonly string[]).includes(method)) {
    throw new SubjectError(`context "${context}" answers no method "${method}"`, `${context}.${method}`);
  }
  return `svc.${context}.${method}`;
}

/** Every request subject of one context, e.g. for a service that listens on `svc.user.*`. */
export function serviceWildcard(context: ContextName): `svc.${ContextName}.*` {
  return `svc.${context}.*`;
}

/** Well-known subjects, for code that prefers a constant to a call. */
export const SUBJECTS = {
  userRegistered: 'nova.user.registered',
  botAdded: 'nova.bot.added',
  botRemoved: 'nova.bot.removed',
  userGet: 'svc.user.get',
  userUpsert: 'svc.user.upsert',
  userStats: 'svc.user.stats',
  botList: 'svc.bot.list',
  botGet: 'svc.bot.get',
  botRemove: 'svc.bot.remove',
  botSetGreeting: 'svc.bot.set_greeting',
  botWebhookAuth: 'svc.bot.webhook_auth',
  postPublished: 'nova.publisher.post_published',
  publicationRequested: 'nova.publisher.publication_requested',
  publisherPublishDue: 'svc.publisher.publish_due',
  publisherListDue: 'svc.publisher.list_due',
  paymentSubscriptionActivated: 'nova.payment.subscription_activated',
  paymentSubscriptionExpired: 'nova.payment.subscription_expired',
  paymentPlans: 'svc.payment.plans',
  paymentCreateInvoice: 'svc.payment.create_invoice',
  paymentEntitlement: 'svc.payment.entitlement',
  paymentList: 'svc.payment.list',
  paymentExpireDue: 'svc.payment.expire_due',
  paymentExpiring: 'svc.payment.expiring',
} as const satisfies Record<string, EventSubject | ServiceSubject>;

/**
 * Set on a reply whose body is a nova.v1.ServiceError rather than the method's response; its
 * value is the ErrorCode name (e.g. ERROR_CODE_NOT_FOUND) so a caller can branch on headers alone.
 */
export const NOVA_ERROR_HEADER = 'Nova-Error';

/** JetStream's de-duplication header: a repeated value inside the stream's window is dropped. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** A Telegram id as protobuf-es (bigint) or a Telegram library (number) holds it. */
export type TelegramId = bigint | number;

function telegramId(value: TelegramId, what: string, allowNegative: boolean): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new SubjectError(`${what} must be an integer, got ${String(value)}`, String(value));
  }
  const text = value.toString();
  if ((!allowNegative && text.startsWith('-')) || !/^-?\d+$/.test(text)) {
    throw new SubjectError(`${what} must be a ${allowNegative ? '' : 'non-negative '}integer, got ${text}`, text);
  }
  return text;
}

const UPDATE_PREFIX = 'telegram.update';

/**
 * Where the gateway writes one update. The chat is the last token so a consumer can keep one
 * chat's updates in order while different chats run in parallel (Decided 3). Chat ids of groups
 * are negative; `-` is legal in a NATS token.
 */
export function telegramUpdateSubject(botId: TelegramId, chatId: TelegramId): string {
  return `${UPDATE_PREFIX}.${telegramId(botId, 'bot id', false)}.${telegramId(chatId, 'chat id', true)}`;
}

/** A consumer filter: every update, or one bot's updates. */
export function telegramUpdateFilter(botId?: TelegramId): string {
  return botId === undefined ? `${UPDATE_PREFIX}.>` : `${UPDATE_PREFIX}.${telegramId(botId, 'bot id', false)}.*`;
}

export function parseTelegramUpdateSubject(subject: string): { botId: bigint; chatId: bigint } {
  const match = /^telegram\.update\.(\d+)\.(-?\d+)$/.exec(subject);
  if (!match?.[1] || !match[2]) {
    throw new SubjectError(`not a Telegram update subject: ${subject}`, subject);
  }
  return { botId: BigInt(match[1]), chatId: BigInt(match[2]) };
}

/**
 * The msgID of one Telegram update. Telegram retries a webhook until it gets a 2xx, with the same
 * update_id; update ids are unique per bot only, hence the bot in the key.
 */
export function telegramMsgId(botId: TelegramId, updateId: TelegramId): `${string}:${string}` {
  return `${telegramId(botId, 'bot id', false)}:${telegramId(updateId, 'update id', false)}`;
}

export function parseTelegramMsgId(msgId: string): { botId: bigint; updateId: bigint } {
  const match = /^(\d+):(\d+)$/.exec(msgId);
  if (!match?.[1] || !match[2]) {
    throw new SubjectError(`not a Telegram msgID: ${msgId}`, msgId);
  }
  return { botId: BigInt(match[1]), updateId: BigInt(match[2]) };
}

/**
 * The msgID of a domain event: the event's subject and the key of the fact it reports (e.g. the
 * user's id for nova.user.registered), so a redelivered handler republishing it is de-duplicated.
 */
export function eventMsgId(subject: EventSubject, key: string | TelegramId): string {
  const text = key.toString();
  if (text === '' || /\s/.test(text)) {
    throw new SubjectError(`event key must be non-empty without whitespace, got "${text}"`, text);
  }
  return `${subject}:${text}`;
}

const DLQ_PREFIX = 'dlq';

/** Where a dead message goes: the original subject is kept so a replay can republish it as it was. */
export function deadLetterSubject(stream: Exclude<StreamName, 'DLQ'>, subject: string): string {
  if (subject === '' || /[\s*>]/.test(subject) || subject.split('.').includes('')) {
    throw new SubjectError(`not a concrete subject: "${subject}"`, subject);
  }
  return `${DLQ_PREFIX}.${stream.toLowerCase()}.${subject}`;
}

/** A consumer filter over one stream's dead letters. */
export function deadLetterFilter(stream: Exclude<StreamName, 'DLQ'>): string {
  return `${DLQ_PREFIX}.${stream.toLowerCase()}.>`;
}

export function parseDeadLetterSubject(subject: string): { stream: Exclude<StreamName, 'DLQ'>; subject: string } {
  const match = /^dlq\.(nova|telegram)\.(.+)$/.exec(subject);
  if (!match?.[1] || !match[2]) {
    throw new SubjectError(`not a dead-letter subject: ${subject}`, subject);
  }
  return { stream: match[1] === 'nova' ? 'NOVA' : 'TELEGRAM', subject: match[2] };
}
