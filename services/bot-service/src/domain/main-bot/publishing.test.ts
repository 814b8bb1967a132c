import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BotSchema, ChannelSchema, ChatKind, PostSchema, PostStatus, StorySchema, StoryStatus } from '@nova/contracts';
import type { MainBotStep, MainBotView } from './decide.js';
import type { PostDraft } from './post-draft.js';
import { concludePublishing, decidePublishing, publishingTexts, scheduleOf } from './publishing.js';
import { IDLE } from './state.js';
import { menu } from './texts.js';

const MENU = menu('en');
const PUBLISHING_TEXT = publishingTexts('en');

const bot = create(BotSchema, { botId: 700n, username: 'ShopBot' });
const view: MainBotView = { chatId: 42n, user: { firstName: 'Olga', registeredNow: false }, locale: 'en', state: { step: 'awaiting_token' }, bots: [bot] };
const russian: MainBotView = { ...view, locale: 'ru' };
const now = new Date('2026-12-04T10:00:00Z');
const says = (text: string): MainBotStep => ({ kind: 'step', next: IDLE, replies: [{ chatId: 42n, text, replyMarkup: MENU }] });
const textOf = (step: MainBotStep): string => step.replies.map((reply) => reply.text).join('\n');
const plain = (text: string): PostDraft => ({ text, entities: [], buttons: [] });

describe('the main bot\'s publishing commands', () => {
  it('links and unlinks by channel id through one of the sender\'s own bots', () => {
    expect(decidePublishing({ kind: 'link', args: ['@shopbot', '-1001234567890'] }, view, now)).toEqual({ kind: 'link', botId: 700n, username: 'ShopBot', chatId: -1001234567890n });
    expect(decidePublishing({ kind: 'link', args: ['@OtherBot', '-100123'] }, view, now)).toEqual(says(PUBLISHING_TEXT.notYourBot('OtherBot')));
    for (const args of [[], ['@shopbot'], ['@shopbot', '123'], ['@shopbot', '@channel'], ['@shopbot', '-1', 'x']]) {
      expect(decidePublishing({ kind: 'link', args }, view, now)).toEqual(says(PUBLISHING_TEXT.linkUsage));
    }
    expect(decidePublishing({ kind: 'unlink', args: ['-100123'] }, view, now)).toEqual({ kind: 'unlink', chatId: -100123n });
    expect(decidePublishing({ kind: 'unlink', args: ['news'] }, view, now)).toEqual(says(PUBLISHING_TEXT.unlinkUsage));
    expect(decidePublishing({ kind: 'cancel_post', args: ['#12'] }, view, now)).toEqual({ kind: 'cancel_post', postId: 12n });
    expect(decidePublishing({ kind: 'cancel_post', args: ['twelve'] }, view, now)).toEqual(says(PUBLISHING_TEXT.cancelUsage));
  });

  it('reads a post: its channels or "all", an optional time, the text on the lines below', () => {
    expect(decidePublishing({ kind: 'post', text: '/post all\nHello,\nchannel!' }, view, now)).toEqual({ kind: 'post', chatIds: undefined, publishAt: undefined, content: plain('Hello,\nchannel!') });
    expect(decidePublishing({ kind: 'post', text: '/post -1001,-1002 in 2h\nLater' }, view, now)).toEqual({ kind: 'post', chatIds: [-1001n, -1002n], publishAt: new Date('2026-12-04T12:00:00Z'), content: plain('Later') });
    expect(decidePublishing({ kind: 'post', text: '/post all photo https://cdn.example.com/a.jpg in 2h' }, view, now)).toEqual({
      kind: 'post', chatIds: undefined, publishAt: new Date('2026-12-04T12:00:00Z'), content: { text: '', entities: [], photo: 'https://cdn.example.com/a.jpg', buttons: [] },
    });
    expect(decidePublishing({ kind: 'post', text: '/post all at 2027-01-01 09:00\nHappy New Year' }, view, now)).toMatchObject({ publishAt: new Date('2027-01-01T09:00:00Z') });
    expect(decidePublishing({ kind: 'post', text: '/post all at 2026-01-01 09:00\nToo late' }, view, now)).toEqual(says(PUBLISHING_TEXT.pastTime));
    for (const text of ['/post', '/post all', '/post all\n   ', '/post all photo\nx', '/post all photo ftp://x.io/a.jpg\nx', '/post all\n[Only](https://a.example) [buttons](https://b.example)', '/post news\nx', '/post all tomorrow\nx', '/post all in 2 hours\nx', '/post all at 2027-13-45 99:99\nx']) {
      expect(decidePublishing({ kind: 'post', text }, view, now)).toEqual(says(PUBLISHING_TEXT.postUsage));
    }
    expect(scheduleOf(['in', '30m'], now)).toEqual(new Date('2026-12-04T10:30:00Z'));
    expect(scheduleOf(['in', '1d'], now)).toEqual(new Date('2026-12-05T10:00:00Z'));
  });

  it('reads an edit: the post\'s number, an optional new time, the new text on the lines below', () => {
    expect(decidePublishing({ kind: 'edit_post', text: '/editpost 12\nNew words' }, view, now)).toEqual({ kind: 'edit_post', postId: 12n, publishAt: undefined, content: plain('New words') });
    expect(decidePublishing({ kind: 'edit_post', text: '/editpost #12 in 1d\nTomorrow instead' }, view, now)).toEqual({ kind: 'edit_post', postId: 12n, publishAt: new Date('2026-12-05T10:00:00Z'), content: plain('Tomorrow instead') });
    expect(decidePublishing({ kind: 'edit_post', text: '/editpost 12 at 2026-01-01 09:00\nToo late' }, view, now)).toEqual(says(PUBLISHING_TEXT.pastTime));
    for (const text of ['/editpost', '/editpost 12', '/editpost 12\n  ', '/editpost twelve\nx', '/editpost 12 soon\nx', '/editpost -12\nx']) {
      expect(decidePublishing({ kind: 'edit_post', text }, view, now)).toEqual(says(PUBLISHING_TEXT.editUsage));
    }
  });

  it('reads a story: bot, one of Telegram\'s four periods, a photo or video link, the caption', () => {
    expect(decidePublishing({ kind: 'story', text: '/story @ShopBot 24h https://cdn.example.com/sale.jpg Sale today, 20% off' }, view, now)).toEqual({
      kind: 'story', botId: 700n, username: 'ShopBot', video: false, mediaUrl: 'https://cdn.example.com/sale.jpg', activePeriodSeconds: 86_400, caption: 'Sale today, 20% off',
    });
    expect(decidePublishing({ kind: 'story', text: '/story ShopBot 6h https://cdn.example.com/clip.mp4' }, view, now)).toMatchObject({ video: true, activePeriodSeconds: 21_600, caption: '' });
    for (const text of ['/story', '/story @ShopBot 5h https://x.io/a.jpg', '/story @ShopBot 24h ftp://x.io/a.jpg', '/story @ShopBot 24h']) {
      expect(decidePublishing({ kind: 'story', text }, view, now)).toEqual(says(PUBLISHING_TEXT.storyUsage));
    }
    expect(decidePublishing({ kind: 'story', text: '/story @Nope 24h https://x.io/a.jpg' }, view, now)).toEqual(says(PUBLISHING_TEXT.notYourBot('Nope')));
  });

  it('answers what the publisher did, and its refusals in the owner\'s language', () => {
    const channel = create(ChannelSchema, { chatId: -100123n, title: 'News', kind: ChatKind.CHANNEL });
    expect(textOf(concludePublishing({ kind: 'channels' }, { ok: true, kind: 'channels', channels: [channel] }, view))).toBe('Your channels:\n• News (-100123), channel');
    expect(textOf(concludePublishing({ kind: 'channels' }, { ok: true, kind: 'channels', channels: [] }, view))).toBe(PUBLISHING_TEXT.noChannels);
    const scheduled = create(PostSchema, { postId: 12n, chatIds: [-100123n], status: PostStatus.SCHEDULED, publishAt: timestampFromDate(new Date('2027-01-01T09:00:00Z')), content: { text: 'Happy New Year' } });
    const post = { kind: 'post', chatIds: undefined, publishAt: new Date('2027-01-01T09:00:00Z'), content: plain('x') } as const;
    expect(textOf(concludePublishing(post, { ok: true, kind: 'post', post: scheduled }, view))).toBe('🕒 Post #12 is scheduled for Jan 1, 2027, 09:00 UTC in 1 channel. /cancelpost 12 cancels it.');
    const edit = { kind: 'edit_post', postId: 12n, publishAt: undefined, content: plain('Happy New Year') } as const;
    expect(textOf(concludePublishing(edit, { ok: true, kind: 'post', post: scheduled }, view))).toBe('✏️ Post #12 is changed: it goes out Jan 1, 2027, 09:00 UTC in 1 channel.');
    expect(textOf(concludePublishing({ kind: 'posts' }, { ok: true, kind: 'posts', posts: [scheduled] }, view))).toBe('Your posts (newest first):\n• #12 scheduled for Jan 1, 2027, 09:00 UTC, 1 channel: "Happy New Year"');
    expect(textOf(concludePublishing({ kind: 'posts' }, { ok: true, kind: 'posts', posts: [scheduled] }, russian))).toBe('Ваши посты (сначала новые):\n• #12 запланирован на 1 янв. 2027 г., 09:00 UTC, 1 канал: «Happy New Year»');
    // A refusal comes as a reason code and its arguments (the ServiceError's details), worded in the owner's language.
    const notLinked = { reason: 'chat-not-linked', chat: '-100', chat_id: '-100' };
    expect(textOf(concludePublishing(post, { ok: false, failure: 'refused', details: notLinked }, view))).toBe('Not done: channel -100 is not linked: link it first with /link.');
    expect(textOf(concludePublishing(post, { ok: false, failure: 'refused', details: notLinked }, russian))).toBe('Не выполнено: канал -100 не подключён: сначала подключите его командой /link.');
    // A code this version does not know (a newer or older publisher): general words, never the refuser's English.
    expect(textOf(concludePublishing(post, { ok: false, failure: 'refused', details: { reason: 'something-new' } }, russian))).toBe('Не выполнено: сервис публикаций отклонил этот запрос.');
    expect(textOf(concludePublishing(post, { ok: false, failure: 'refused', details: {} }, view))).toBe('Not done: the publishing service refused this request.');
    const story = { kind: 'story', botId: 700n, username: 'ShopBot', video: false, mediaUrl: 'https://x', activePeriodSeconds: 86_400, caption: '' } as const;
    expect(textOf(concludePublishing(story, { ok: true, kind: 'story', story: create(StorySchema, { status: StoryStatus.POSTED, activePeriodSeconds: 86_400 }) }, view))).toBe('✅ Your story is posted through @ShopBot for 24 hours.');
    expect(textOf(concludePublishing(story, { ok: true, kind: 'story', story: create(StorySchema, { status: StoryStatus.FAILED, error: 'Bad Request: BOT_ACCESS_FORBIDDEN' }) }, view))).toBe('The story was not posted: Bad Request: BOT_ACCESS_FORBIDDEN');
  });
});
