/**
 * Telegram Business: getBusinessConnection and postStory (Bot API 9.0). A bot may post a story
 * only through an enabled business connection whose rights include can_manage_stories, with the
 * media uploaded as a new file (attach://<name> pointing at a multipart part: Telegram takes no
 * file_id or URL for a story), an active_period of 6, 12, 24 or 48 hours and a caption of at most
 * 2048 characters. The refusals are Telegram's 400s.
 */
import { badRequest } from '../api-failure.js';
import type { BotState } from '../bot-state.js';
import { optionalInteger, optionalJson, optionalString, type Params } from '../params.js';
import type { BusinessConnection } from '../wire.js';
import type { MethodHandler } from './types.js';

/** postStory's active_period: 6 * 3600, 12 * 3600, 86400 or 2 * 86400 seconds. */
export const STORY_ACTIVE_PERIODS: readonly number[] = [21_600, 43_200, 86_400, 172_800];
const MAX_STORY_CAPTION = 2048;

function connectionOf(bot: BotState, params: Params): BusinessConnection {
  const id = optionalString(params, 'business_connection_id');
  if (id === undefined || id === '') throw badRequest('business_connection_id is empty');
  const connection = bot.businessConnections.get(id);
  // Telegram answers the same for an id it never issued and another bot's connection.
  if (connection === undefined) throw badRequest('BUSINESS_CONNECTION_INVALID');
  return connection;
}

export const getBusinessConnection: MethodHandler = (bot, params) => ({ result: connectionOf(bot, params) });

export const postStory: MethodHandler = (bot, params) => {
  const connection = connectionOf(bot, params);
  if (!connection.is_enabled) throw badRequest('BUSINESS_CONNECTION_INVALID');
  if (connection.rights?.can_manage_stories !== true) throw badRequest('BOT_ACCESS_FORBIDDEN');
  const activePeriod = optionalInteger(params, 'active_period');
  if (activePeriod === undefined) throw badRequest('active_period is empty');
  if (!STORY_ACTIVE_PERIODS.includes(activePeriod)) throw badRequest('STORY_PERIOD_INVALID');
  const caption = optionalString(params, 'caption');
  if (caption !== undefined && caption.length > MAX_STORY_CAPTION) throw badRequest('message caption is too long');
  const media = storyMedia(params);
  const story = { chat: { id: connection.user_chat_id, type: 'private' as const, first_name: connection.user.first_name }, id: bot.stories.filter((posted) => posted.businessConnectionId === connection.id).length + 1 };
  bot.stories.push({ story, businessConnectionId: connection.id, kind: media.kind, activePeriod, caption, mediaSize: media.size });
  return { result: story };
};

/** InputStoryContentPhoto / InputStoryContentVideo, whose file must be an upload in this request. */
function storyMedia(params: Params): { kind: 'photo' | 'video'; size: number } {
  const content = optionalJson(params, 'content');
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw badRequest("can't parse InputStoryContent JSON object");
  const { type } = content as Record<string, unknown>;
  if (type !== 'photo' && type !== 'video') throw badRequest('unsupported story content type specified');
  const reference = (content as Record<string, unknown>)[type];
  if (typeof reference !== 'string' || reference === '') throw badRequest(`story ${type} must be specified`);
  const attach = /^attach:\/\/(.+)$/u.exec(reference)?.[1];
  // A file_id or an URL: stories take only new uploads.
  if (attach === undefined) throw badRequest(`story ${type} can't be reused and must be uploaded as a new file`);
  const part = params[attach];
  if (typeof part !== 'object' || part === null || !('size' in part) || typeof part.size !== 'number') throw badRequest(`file "${attach}" not found in the request`);
  if (part.size === 0) throw badRequest('file must be non-empty');
  return { kind: type, size: part.size };
}
