import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PostContentSchema } from '@nova/contracts';
import { InvalidArgumentError } from '@nova/domain';
import { postChats, postContent, publishTime } from './validation.js';

function refusal(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('post content', () => {
  it('keeps text, entities, photo and URL buttons as Telegram takes them', () => {
    const content = postContent(create(PostContentSchema, {
      text: 'Sale today',
      entities: [{ type: 'bold', offset: 0, length: 4 }, { type: 'text_link', offset: 5, length: 5, url: 'https://shop.example' }],
      photo: 'https://cdn.example/sale.jpg',
      buttons: [{ buttons: [{ text: 'Buy', url: 'https://shop.example/buy' }] }],
    }));
    expect(content).toEqual({
      text: 'Sale today',
      entities: [{ type: 'bold', offset: 0, length: 4 }, { type: 'text_link', offset: 5, length: 5, url: 'https://shop.example' }],
      photo: 'https://cdn.example/sale.jpg',
      buttons: [[{ text: 'Buy', url: 'https://shop.example/buy' }]],
    });
  });

  it('holds Telegram\'s limits: text 4096, caption 1024 (UTF-16 units), text required without a photo', () => {
    expect(postContent(create(PostContentSchema, { text: 'x'.repeat(4096) })).text).toHaveLength(4096);
    expect(refusal(() => postContent(create(PostContentSchema, { text: 'x'.repeat(4097) }))).details).toMatchObject({ field: 'content.text' });
    expect(postContent(create(PostContentSchema, { text: 'y'.repeat(1024), photo: 'AgACfile' })).text).toHaveLength(1024);
    expect(refusal(() => postContent(create(PostContentSchema, { text: 'y'.repeat(1025), photo: 'AgACfile' }))).details).toEqual({ field: 'content.text', reason: 'field-too-long', max: '1024' });
    expect(postContent(create(PostContentSchema, { photo: 'AgACfile' })).text).toBe('');
    expect(refusal(() => postContent(create(PostContentSchema, {}))).details).toEqual({ field: 'content.text', reason: 'field-required' });
    expect(refusal(() => postContent(create(PostContentSchema, { text: '   ' }))).details).toEqual({ field: 'content.text', reason: 'text-blank' });
    // 2048 emoji are 4096 UTF-16 units, as Telegram counts.
    expect(refusal(() => postContent(create(PostContentSchema, { text: '😀'.repeat(2049) }))).details).toMatchObject({ field: 'content.text' });
  });

  it('refuses entities outside the text, unknown entity types and buttons that are not URLs', () => {
    expect(refusal(() => postContent(create(PostContentSchema, { text: 'abc', entities: [{ type: 'bold', offset: 2, length: 2 }] }))).details).toMatchObject({ field: 'content.entities[0]' });
    expect(refusal(() => postContent(create(PostContentSchema, { text: 'abc', entities: [{ type: 'blink', offset: 0, length: 1 }] }))).details).toMatchObject({ field: 'content.entities[0].type' });
    expect(refusal(() => postContent(create(PostContentSchema, { text: 'abc', buttons: [{ buttons: [{ text: 'Go', url: 'javascript:alert(1)' }] }] }))).details).toMatchObject({ field: 'content.buttons[0][0].url' });
    expect(refusal(() => postContent(create(PostContentSchema, { text: 'abc', buttons: [{ buttons: [] }] }))).details).toMatchObject({ field: 'content.buttons[0]' });
  });
});

describe('channels and time of a post', () => {
  it('needs at least one channel, each once', () => {
    expect(postChats([-1001n, -1002n])).toEqual([-1001n, -1002n]);
    expect(refusal(() => postChats([])).details).toEqual({ field: 'chat_ids', reason: 'no-chats' });
    expect(refusal(() => postChats([])).message).toBe('a post needs at least one channel');
    expect(refusal(() => postChats([-1001n, -1001n])).details).toMatchObject({ field: 'chat_ids', chat_id: '-1001' });
    expect(refusal(() => postChats([0n])).details).toMatchObject({ field: 'chat_ids' });
  });

  it('publishes now when no time is given and refuses a time in the past', () => {
    const now = new Date('2026-12-02T22:00:00.000Z');
    expect(publishTime(undefined, now)).toBe(now);
    const later = new Date('2026-12-02T23:00:00.000Z');
    expect(publishTime(timestampFromDate(later), now)).toEqual(later);
    expect(refusal(() => publishTime(timestampFromDate(new Date('2026-12-02T21:59:00.000Z')), now)).details).toEqual({ field: 'publish_at', reason: 'time-past' });
  });
});
