/**
 * A bot's message budget shared with other processes. Telegram's limits are per bot, not per
 * process: two replicas that each pace a bot to 30 messages a second send 60 together. A
 * SendGate lets a process send for the bot only while it holds the bot's budget (the
 * publisher's implementation: a lease per bot in a NATS KV bucket, one sender per bot at a
 * time). The scheduler enters it before each message's bot-wide slot and leaves it at the
 * answer, so whoever implements it knows when this process has nothing in flight for the bot.
 */
export interface SendGate {
  /**
   * Resolves when this process may send one message for the bot, with the function to call at
   * its answer; rejects (with an error saying why) when the budget cannot be had in time.
   */
  enter(signal?: AbortSignal): Promise<() => void>;
}
