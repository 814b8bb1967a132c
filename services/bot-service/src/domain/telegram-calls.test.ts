import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '@nova/contracts';
import { TelegramUnavailableError, callTelegram } from './telegram-calls.js';
import { TelegramRejectedError } from './telegram-gateway.js';

const TOKEN = '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

describe('callTelegram', () => {
  it('passes a result through', async () => {
    expect(await callTelegram('getMe', TOKEN, () => Promise.resolve(42))).toBe(42);
  });

  it('turns a transient failure into UNAVAILABLE with every token redacted and no cause kept', async () => {
    const leaky = new TypeError(`fetch failed for https://api.telegram.org/bot${TOKEN}/getMe`);
    const error = await callTelegram('getMe', TOKEN, () => Promise.reject(leaky)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TelegramUnavailableError);
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE, details: { method: 'getMe' } });
    const { message, cause } = error as Error;
    expect(message).toBe('Telegram getMe failed: TypeError: fetch failed for https://api.telegram.org/bot<bot token>/getMe');
    expect(cause).toBeUndefined();
  });

  it('returns a refusal (not thrown) for the caller to decide on, with the token redacted from its description', async () => {
    const refusal = await callTelegram('setWebhook', TOKEN, () => Promise.reject(new TelegramRejectedError('setWebhook', 400, `Bad Request: bot ${TOKEN} says no`)));
    expect(refusal).toBeInstanceOf(TelegramRejectedError);
    expect(refusal).toMatchObject({ errorCode: 400, description: 'Bad Request: bot <bot token> says no' });
    expect((refusal as Error).message).not.toContain(TOKEN);
  });
});
