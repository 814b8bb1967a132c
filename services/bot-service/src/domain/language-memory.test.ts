import { create } from '@bufbuild/protobuf';
import { GetUserRequestSchema, GetUserResponseSchema, SetUserLanguageRequestSchema, SetUserLanguageResponseSchema, UpsertUserRequestSchema, UpsertUserResponseSchema, UserSchema } from '@nova/contracts';
import { describe, expect, it } from '@jest/globals';
import { LanguageMemory } from './language-memory.js';
import type { UserRegistry } from './users.js';

/**
 * The memory's own bookkeeping (what it keeps, in which order answers win, its bound). The users
 * context here is a map whose answers the test releases one by one, because the order in which two
 * answers arrive is what is tested and a real users context cannot be made to answer out of order
 * on demand; test/domain/bot-updates.test.ts runs the memory on the real contexts.
 */
class ChoicesRegistry implements UserRegistry {
  readonly choices = new Map<bigint, string>();
  private readonly waiting: (() => void)[] = [];
  held = false;

  private async turn(): Promise<void> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  releaseOldest(): void {
    this.waiting.shift()?.();
  }

  private user(telegramId: bigint) {
    return create(UserSchema, { telegramId, firstName: 'P', chosenLanguage: this.choices.get(telegramId) ?? '' });
  }

  async upsert(request: Parameters<UserRegistry['upsert']>[0]) {
    const user = this.user(request.telegramId);
    await this.turn();
    return create(UpsertUserResponseSchema, { user, created: false });
  }

  async get(request: Parameters<UserRegistry['get']>[0]) {
    const user = this.user(request.telegramId);
    await this.turn();
    return create(GetUserResponseSchema, { user });
  }

  async setLanguage(request: Parameters<UserRegistry['setLanguage']>[0]) {
    this.choices.set(request.telegramId, request.language);
    const user = this.user(request.telegramId);
    await this.turn();
    return create(SetUserLanguageResponseSchema, { user });
  }
}

const upsert = (telegramId: bigint) => create(UpsertUserRequestSchema, { telegramId, firstName: 'P', botId: 1n, effectKey: `k:${String(telegramId)}` });

describe('LanguageMemory', () => {
  it('knows nothing of a person until an answer about them, then their choice ("" for none)', async () => {
    const registry = new ChoicesRegistry();
    const memory = new LanguageMemory(registry);
    expect(memory.rememberedChoice(7n)).toBeUndefined();
    await memory.upsert(upsert(7n), {});
    expect(memory.rememberedChoice(7n)).toBe('');
    registry.choices.set(8n, 'ru');
    await memory.upsert(upsert(8n), {});
    expect(memory.rememberedChoice(8n)).toBe('ru');
  });

  it('a change through it is remembered, and an upsert answered after it but begun before it does not bring the old choice back', async () => {
    const registry = new ChoicesRegistry();
    const memory = new LanguageMemory(registry);
    await memory.upsert(upsert(7n), {});
    registry.held = true;
    const early = memory.upsert(upsert(7n), {}); // reads "" and waits
    const change = memory.setLanguage(create(SetUserLanguageRequestSchema, { telegramId: 7n, language: 'ru' }), {});
    // While the change is in flight nothing is remembered: a greeting waits for an answer.
    expect(memory.rememberedChoice(7n)).toBeUndefined();
    registry.releaseOldest(); // the early upsert's answer ("") arrives first...
    await early;
    expect(memory.rememberedChoice(7n)).toBeUndefined();
    registry.releaseOldest(); // ...then the change's
    await change;
    expect(memory.rememberedChoice(7n)).toBe('ru');
    registry.held = false;
    await memory.upsert(upsert(7n), {});
    expect(memory.rememberedChoice(7n)).toBe('ru');
  });

  it('forgets the person answered about longest ago past its capacity', async () => {
    const memory = new LanguageMemory(new ChoicesRegistry(), 2);
    await memory.upsert(upsert(1n), {});
    await memory.upsert(upsert(2n), {});
    await memory.get(create(GetUserRequestSchema, { telegramId: 1n }), {}); // 1 answered again: 2 is now the oldest
    await memory.upsert(upsert(3n), {});
    expect([memory.rememberedChoice(1n), memory.rememberedChoice(2n), memory.rememberedChoice(3n)]).toEqual(['', undefined, '']);
  });
});
