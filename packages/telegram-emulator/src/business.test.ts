/**
 * Telegram Business as a bot sees it: connections a business account makes (with or without the
 * right to manage stories), the business_connection update that tells the bot, and postStory
 * with Telegram's refusals: an unknown or disabled connection, a missing right, a wrong active
 * period, a caption over 2048 characters, media that is not a new upload.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TelegramEmulator, type EmulatedBot } from './index.js';
import { rawCall } from './testing/index.js';

const olga = { id: 7101, first_name: 'Olga', username: 'olga_shop' };
const PHOTO = new Uint8Array(2048).fill(7);

/** postStory as a client uploads it: multipart, the media under its own part, content pointing at it. */
async function postStory(apiRoot: string, token: string, fields: Record<string, unknown>, media: Uint8Array | null = PHOTO): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  if (media !== null) form.append('story_media', new Blob([media]), 'story.jpg');
  const response = await fetch(`${apiRoot}/bot${token}/postStory`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('TelegramEmulator: business connections and stories', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;

  beforeAll(async () => {
    telegram = await TelegramEmulator.start({ rateLimits: false });
    bot = telegram.createBot({ username: 'story_bot' });
  });
  afterAll(() => telegram.stop());

  it('tells the bot about a connection with a business_connection update, and answers getBusinessConnection', async () => {
    const connection = telegram.connectBusiness(bot.id, { user: olga, canManageStories: true });
    const updates = await rawCall(telegram.apiRoot, bot.token, 'getUpdates', { timeout: 0 });
    expect(updates.body['result']).toEqual([{ update_id: expect.any(Number) as unknown, business_connection: connection }]);
    expect(connection).toMatchObject({ user: { id: olga.id, is_bot: false }, user_chat_id: olga.id, rights: { can_manage_stories: true }, is_enabled: true });
    const answer = await rawCall(telegram.apiRoot, bot.token, 'getBusinessConnection', { business_connection_id: connection.id });
    expect(answer.body).toEqual({ ok: true, result: connection });
    const unknown = await rawCall(telegram.apiRoot, bot.token, 'getBusinessConnection', { business_connection_id: 'nope' });
    expect(unknown.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: BUSINESS_CONNECTION_INVALID' });
    // Another bot's connection is as unknown as one never made.
    const other = telegram.createBot({ username: 'other_story_bot' });
    expect((await rawCall(telegram.apiRoot, other.token, 'getBusinessConnection', { business_connection_id: connection.id })).status).toBe(400);
  });

  it('posts a story uploaded as a new file through a connection allowed to manage stories', async () => {
    const connection = telegram.connectBusiness(bot.id, { user: olga, canManageStories: true });
    const answer = await postStory(telegram.apiRoot, bot.token, { business_connection_id: connection.id, content: { type: 'photo', photo: 'attach://story_media' }, active_period: 86_400, caption: 'New in the shop' });
    expect(answer.body).toEqual({ ok: true, result: { chat: { id: olga.id, type: 'private', first_name: 'Olga' }, id: 1 } });
    expect(telegram.storiesOf(bot.id).at(-1)).toMatchObject({ businessConnectionId: connection.id, kind: 'photo', activePeriod: 86_400, caption: 'New in the shop', mediaSize: PHOTO.length });
  });

  it('refuses as Telegram does', async () => {
    const allowed = telegram.connectBusiness(bot.id, { user: olga, canManageStories: true });
    const noRight = telegram.connectBusiness(bot.id, { user: { id: 7102, first_name: 'Ivan' }, canManageStories: false });
    const disabled = telegram.connectBusiness(bot.id, { user: { id: 7103, first_name: 'Pyotr' }, canManageStories: true, enabled: false });
    const photo = { type: 'photo', photo: 'attach://story_media' };
    const cases: [Record<string, unknown>, Uint8Array | null, string][] = [
      [{ business_connection_id: 'nope', content: photo, active_period: 86_400 }, PHOTO, 'BUSINESS_CONNECTION_INVALID'],
      [{ business_connection_id: disabled.id, content: photo, active_period: 86_400 }, PHOTO, 'BUSINESS_CONNECTION_INVALID'],
      [{ business_connection_id: noRight.id, content: photo, active_period: 86_400 }, PHOTO, 'BOT_ACCESS_FORBIDDEN'],
      [{ business_connection_id: allowed.id, content: photo, active_period: 3_600 }, PHOTO, 'STORY_PERIOD_INVALID'],
      [{ business_connection_id: allowed.id, content: photo, active_period: 86_400, caption: 'x'.repeat(2049) }, PHOTO, 'message caption is too long'],
      [{ business_connection_id: allowed.id, content: { type: 'photo', photo: 'https://example.com/a.jpg' }, active_period: 86_400 }, PHOTO, 'story photo can\'t be reused and must be uploaded as a new file'],
      [{ business_connection_id: allowed.id, content: photo, active_period: 86_400 }, null, 'file "story_media" not found in the request'],
    ];
    const before = telegram.storiesOf(bot.id).length;
    for (const [fields, media, description] of cases) {
      expect(await postStory(telegram.apiRoot, bot.token, fields, media)).toEqual({ status: 400, body: { ok: false, error_code: 400, description: `Bad Request: ${description}` } });
    }
    expect(telegram.storiesOf(bot.id)).toHaveLength(before);
    // Rights change on the same connection: granted now, the story goes.
    telegram.connectBusiness(bot.id, { id: noRight.id, user: { id: 7102, first_name: 'Ivan' }, canManageStories: true });
    expect((await postStory(telegram.apiRoot, bot.token, { business_connection_id: noRight.id, content: { type: 'video', video: 'attach://story_media' }, active_period: 21_600 })).status).toBe(200);
  });
});
