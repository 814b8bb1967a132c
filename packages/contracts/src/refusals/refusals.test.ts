import { describe, expect, it } from '@jest/globals';
import { catalogueProblems, LOCALES } from '@nova/i18n';
import { EN } from './en.js';
import { fieldKey, REFUSAL_CATALOGUE, REFUSALS, refusalDetails, refusalMessage, wordRefusal, wordTelegramFailure, type RefusalReason } from './index.js';
import { RU } from './ru.js';

/** Arguments for every reason: counts as counts, the rest as text. */
function sampleArgs(reason: RefusalReason, count: string): Record<string, string> {
  const values: Record<string, string> = { field: 'content.text', max: count, length: count, position: count, row: count, version: 'text', status: 'published', action: 'edit', language: 'de' };
  return Object.fromEntries((REFUSALS[reason] as readonly string[]).map((name) => [name, values[name] ?? '70001']));
}

describe('the refusals catalogue (@nova/contracts)', () => {
  it('both languages word exactly the spec\'s reasons, with its arguments, as valid FTL', () => {
    expect(catalogueProblems(REFUSALS, { en: EN, ru: RU })).toEqual([]);
    // Unused or missing ids would be listed above; a stray id makes the catalogue fail at start.
    expect(catalogueProblems(REFUSALS, { en: `${EN}\nextra = x\n`, ru: RU })).toEqual(['en: message "extra" is not in the spec (unused)']);
  });

  it('words every reason in both languages from its details, and no two reasons alike', () => {
    for (const locale of LOCALES) {
      const seen = new Set<string>();
      for (const reason of Object.keys(REFUSALS) as RefusalReason[]) {
        const words = wordRefusal(locale, refusalDetails(reason, sampleArgs(reason, '5') as never));
        expect(words).toBeDefined();
        expect(words).not.toMatch(/[{}]/u);
        seen.add(words ?? '');
      }
      expect(seen.size).toBe(Object.keys(REFUSALS).length);
    }
  });

  it('no Russian wording keeps an English one as it is (ids, codes and names aside)', () => {
    const latinWords = (text: string): string[] => text.replace(/https?:\/\/|tg:\/\/|\/\w+|file_id|due_before|NUL|Telegram(?: Business)?|content-text|70001|"de"|«de»|http\(s\)/gu, ' ').match(/[A-Za-z]{3,}/gu) ?? [];
    for (const reason of Object.keys(REFUSALS) as RefusalReason[]) {
      const details = refusalDetails(reason, sampleArgs(reason, '5') as never);
      expect({ reason, latin: latinWords(wordRefusal('ru', details) ?? '') }).toEqual({ reason, latin: [] });
      expect(wordRefusal('ru', details)).not.toBe(wordRefusal('en', details));
    }
  });

  it('counts take Russian\'s plural forms; ids stay as given (never grouped)', () => {
    const tooLong = (length: string) => wordRefusal('ru', refusalDetails('announcement-too-long', { version: 'text', length, max: '4096' }));
    expect(tooLong('4097')).toBe('в сообщении 4\u00a0097 символов, а Telegram принимает не больше 4\u00a0096');
    expect(tooLong('5001')).toBe('в сообщении 5\u00a0001 символ, а Telegram принимает не больше 4\u00a0096');
    expect(tooLong('5002')).toBe('в сообщении 5\u00a0002 символа, а Telegram принимает не больше 4\u00a0096');
    expect(wordRefusal('en', refusalDetails('announcement-too-long', { version: 'ru', length: '5000', max: '4096' }))).toBe('the Russian version is 5,000 characters long: Telegram takes at most 4,096');
    // The counts: 0, 1, 2, 5, 11, 21, 22, 25, 101 take Russian's many/one/few forms.
    const forms = ['0 символов', '1 символ', '2 символа', '5 символов', '11 символов', '21 символ', '22 символа', '25 символов', '101 символ'];
    expect(['0', '1', '2', '5', '11', '21', '22', '25', '101'].map((length) => /в сообщении (\d+ \S+),/u.exec(tooLong(length) ?? '')?.[1])).toEqual(forms);
    expect(wordRefusal('ru', refusalDetails('buttons-too-many', { max: '1' }))).toBe('в посте может быть не больше 1 кнопки');
    expect(wordRefusal('ru', refusalDetails('too-many-chats', { max: '2' }))).toBe('пост можно отправить не больше чем в 2 канала');
    expect(wordRefusal('ru', refusalDetails('post-not-found', { post: '70001' }))).toBe('у вас нет поста #70001');
  });

  it('names a field by its key, the raw name where the catalogue has no words for it', () => {
    expect(fieldKey('content.buttons[0][3].url')).toBe('content-buttons-url');
    expect(wordRefusal('ru', refusalDetails('field-malformed', { field: 'content.buttons[0][3].url' }))).toBe('ссылка кнопки должна начинаться с http://, https:// или tg://');
    expect(wordRefusal('en', refusalDetails('field-required', { field: 'owner_telegram_id' }))).toBe('owner-telegram-id is missing');
  });

  it('knows no reason outside the spec: the caller words those itself', () => {
    expect(wordRefusal('ru', {})).toBeUndefined();
    expect(wordRefusal('ru', { reason: 'toString' })).toBeUndefined();
    expect(wordRefusal('ru', { reason: 'something-new' })).toBeUndefined();
  });

  it('words Telegram\'s refusals an owner can act on, and leaves any other description to the caller', () => {
    expect(wordTelegramFailure('ru', 'Forbidden: bot was kicked from the channel chat')).toBe('бота удалили из этого чата');
    expect(wordTelegramFailure('ru', 'Forbidden: bot was kicked from the supergroup chat')).toBe('бота удалили из этого чата');
    expect(wordTelegramFailure('en', 'Bad Request: need administrator rights in the channel chat')).toBe('the bot lacks the administrator right to post here');
    expect(wordTelegramFailure('ru', 'Bad Request: chat not found')).toBe('Telegram не знает этот чат (удалён или бот его не видел)');
    expect(wordTelegramFailure('ru', 'Forbidden: bot was blocked by the user')).toBe('пользователь заблокировал бота');
    expect(wordTelegramFailure('ru', 'Bad Request: BOT_ACCESS_FORBIDDEN')).toBeUndefined();
    expect(wordTelegramFailure('ru', null)).toBeUndefined();
  });

  it('the English message is the English wording (logs, older callers)', () => {
    expect(refusalMessage('chat-not-linked', { chat: '-100' })).toBe('channel -100 is not linked: link it first with /link');
    expect(REFUSAL_CATALOGUE.format('en', 'time-past')).toBe('that time is in the past');
  });
});
