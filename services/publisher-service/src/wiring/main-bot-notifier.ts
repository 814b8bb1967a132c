/**
 * The owner's report as a message from the main bot to the owner's private chat (the owner
 * talked to the main bot to add their child bots, so Telegram lets it write there).
 */
import type { TelegramClients } from '@nova/telegram';
import type { AnnouncementTelegram, OwnerNotifier, SendOptions } from '../domain/index.js';
import { publisherTelegramError } from './telegram-failures.js';

export class MainBotNotifier implements OwnerNotifier, AnnouncementTelegram {
  constructor(
    private readonly clients: TelegramClients,
    /** NOVA_MAIN_BOT_TOKEN; kept here, never logged. */
    private readonly mainBotToken: string,
  ) {}

  async sendReport(ownerTelegramId: bigint, text: string, options: SendOptions = {}): Promise<void> {
    const client = this.clients.forToken(this.mainBotToken);
    try {
      await client.sendMessage({ chat_id: Number(ownerTelegramId), text }, options.startBy === undefined ? {} : { startBy: options.startBy });
    } catch (error) {
      throw publisherTelegramError('sendMessage', `main bot ${client.botId}`, error);
    }
  }

  /** An admin's announcement to one user's private chat, plain text (no parse mode: the admin's text is sent as typed). */
  async sendAnnouncement(chatId: bigint, text: string, options: SendOptions = {}): Promise<{ readonly messageId: bigint }> {
    const client = this.clients.forToken(this.mainBotToken);
    try {
      const message = await client.sendMessage({ chat_id: Number(chatId), text }, options.startBy === undefined ? {} : { startBy: options.startBy });
      return { messageId: BigInt(message.message_id) };
    } catch (error) {
      throw publisherTelegramError('sendMessage', `main bot ${client.botId}`, error);
    }
  }
}
