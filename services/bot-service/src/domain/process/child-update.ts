import { telegramMsgId } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import { chooseLocale, type Locale } from '@nova/i18n';
import { routeChildBotUpdate } from '../child-bot/router.js';
import type { SealedToken } from '../keyring.js';
import { leaseEnd, sendRecordedReplies, type RecordedReply } from '../replies/outgoing.js';
import { businessConnectionOf } from '../updates/business-connection.js';
import type { IncomingUpdate } from '../updates/incoming.js';
import { registerSenderSpeaking } from '../users.js';
import type { UpdateProcessingDeps } from './deps.js';
import { readChildUpdate, recordChildUpdateDecision } from './child-update-statements.js';
import type { ProcessOutcome } from './outcome.js';
import { deliver, deliveryDeps, updateEffectKey } from './shared.js';

/**
 * One update to a child bot: register the sender with the users context and, at the same time,
 * read the bot and whether the update was processed, route the update through telegraf (in
 * memory: whom to count, what to answer), then in one statement claim the update and record the
 * sender in the bot's audience and the greeting, leased to this sender; send it, then wait for
 * the registration. A redelivery finds the update processed (its read, or its claim, says so)
 * and only sends what is unsent.
 *
 * Round trips (issue 20, bench/README.md): two statements before the send, no interactive
 * transaction (child-update-statements.ts: it was BEGIN, the claim with the bot's read, the
 * audience, the replies, COMMIT); the registration's request to the users context runs beside them
 * and the send (an owner's greeting does not depend on it; a bot still on its built-in greeting
 * waits for the answer's language of the writer before its decision); the steps outside the claim
 * are idempotent under the update's msgID (the users context's effect key, the publisher keeping
 * the newer business connection), so a redelivery repeats them harmlessly; the replies are
 * recorded leased and sent without being read back. A transient registration failure is thrown
 * after the replies went out, so the update is redelivered and the registration retried, and the
 * person is answered meanwhile.
 */
export async function processChildUpdate(deps: UpdateProcessingDeps, botId: bigint, update: IncomingUpdate, ctx: HandlerContext): Promise<ProcessOutcome> {
  const key = updateEffectKey(botId, update.updateId);
  // Forwarded before the update is marked processed: a failure is redelivered, and the
  // publisher keeps the newer of two reports, so forwarding twice is harmless.
  const connection = businessConnectionOf(update.raw, botId);
  if (connection !== undefined) await deps.businessConnections?.record(connection, ctx);
  const sender = update.message?.sender;
  const registering = settled(registerSenderSpeaking(deps.users, sender, botId, telegramMsgId(botId, update.updateId), ctx));
  // The built-in greeting speaks the writer's language: the one the users context has for them
  // (the registration already under way answers it), else their Telegram app's.
  const senderLocale = async (): Promise<Locale> => {
    const registration = await registering;
    return registration.ok ? registration.value.locale : chooseLocale(undefined, sender?.languageCode);
  };
  let recorded: Recorded | undefined;
  try {
    recorded = await recordChildUpdate(deps, botId, key, update, senderLocale);
  } catch (error) {
    const registration = await registering;
    throw registration.ok ? error : registration.error;
  }
  // Sent before the registration's answer is awaited: an owner's greeting does not depend on it
  // (a built-in one waited for it before the decision), so the person's reply never waits on
  // the users context's answer after the update is recorded (issue 20).
  const delivery = recorded === undefined
    ? await deliver(deps, key)
    : await sendRecordedReplies(deliveryDeps(deps), recorded.replies, tokenFrom(deps, botId, recorded.token));
  const registration = await registering;
  if (!registration.ok) throw registration.error;
  // A repeat reports no registration, as when it was recognised before registering.
  return { effectKey: key, repeated: recorded === undefined, registration: recorded === undefined ? 'none' : registration.value.registration, delivery };
}

interface Recorded {
  readonly replies: readonly RecordedReply[];
  /** The bot's sealed token as its row held it; undefined when the bot is gone or blocked. */
  readonly token: SealedToken | undefined;
}

/** Reads, decides and records the update; undefined when it was processed already (here or by another processing). */
async function recordChildUpdate(deps: UpdateProcessingDeps, botId: bigint, key: string, update: IncomingUpdate, senderLocale: () => Promise<Locale>): Promise<Recorded | undefined> {
  const { processed, bot } = await readChildUpdate(deps.db, key, botId);
  if (processed) return undefined;
  const now = deps.clock();
  const leaseUntil = leaseEnd(deliveryDeps(deps));
  // A bot removed while its updates were in flight: nothing to say, nobody to count. A blocked
  // bot (an admin's decision) likewise, also for updates the gateway took before it knew.
  if (bot === null || bot.blockedAt !== null) {
    const claimed = await recordChildUpdateDecision(deps.db, { effectKey: key, botId, replies: [], leaseUntil, now });
    return claimed === undefined ? undefined : { replies: [], token: undefined };
  }
  const decision = await routeChildBotUpdate({ update, bot, now, senderLocale });
  const replies = await recordChildUpdateDecision(deps.db, { effectKey: key, botId, audienceMember: decision.audienceMember, replies: decision.replies, leaseUntil, now });
  return replies === undefined ? undefined : { replies, token: { ciphertext: bot.tokenCiphertext, keyId: bot.tokenKeyId } };
}

/** The child bot's token from the row the transaction read; any other bot's as usual. */
function tokenFrom(deps: UpdateProcessingDeps, botId: bigint, sealed: SealedToken | undefined): (id: bigint) => Promise<string | undefined> {
  return (id) => (sealed !== undefined && id === botId ? Promise.resolve(deps.keyring.open(botId, sealed)) : deps.tokens.tokenFor(id));
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A promise that never rejects (so it may wait while other work runs), carrying its outcome. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}
