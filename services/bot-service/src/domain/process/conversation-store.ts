import type { ConversationStep } from '../../generated/prisma/client.js';
import type { BotDatabase, BotTransaction } from '../database.js';
import { IDLE, type ConversationState } from '../main-bot/state.js';

const STEP_OF_ROW: Readonly<Record<Exclude<ConversationStep, 'AWAITING_GREETING'>, ConversationState>> = {
  IDLE,
  AWAITING_TOKEN: { step: 'awaiting_token' },
  CHOOSING_BOT_TO_REMOVE: { step: 'choosing_bot_to_remove' },
  CHOOSING_BOT_FOR_GREETING: { step: 'choosing_bot_for_greeting' },
};

/** A chat's conversation with the main bot; a chat never seen is at the menu. */
export async function loadConversation(db: BotDatabase, chatId: bigint): Promise<ConversationState> {
  const row = await db.conversation.findUnique({ where: { chatId } });
  if (row === null) return IDLE;
  if (row.step === 'AWAITING_GREETING') return row.botId === null ? IDLE : { step: 'awaiting_greeting', botId: row.botId };
  return STEP_OF_ROW[row.step];
}

function rowOf(state: ConversationState): { step: ConversationStep; botId: bigint | null } {
  switch (state.step) {
    case 'idle':
      return { step: 'IDLE', botId: null };
    case 'awaiting_token':
      return { step: 'AWAITING_TOKEN', botId: null };
    case 'choosing_bot_to_remove':
      return { step: 'CHOOSING_BOT_TO_REMOVE', botId: null };
    case 'choosing_bot_for_greeting':
      return { step: 'CHOOSING_BOT_FOR_GREETING', botId: null };
    case 'awaiting_greeting':
      return { step: 'AWAITING_GREETING', botId: state.botId };
  }
}

export async function saveConversation(tx: BotTransaction, chatId: bigint, state: ConversationState, now: Date): Promise<void> {
  const row = { ...rowOf(state), updatedAt: now };
  await tx.conversation.upsert({ where: { chatId }, create: { chatId, ...row }, update: row });
}
