/**
 * The main bot's publishing commands, as pure functions like payments.ts: link a channel to one
 * of your bots and unlink it, list channels, write a post (now or at a time) for some or all of
 * your channels, list posts, change or cancel a scheduled one, post a story through a bot's Telegram
 * Business connection. Each command is one message (no conversation state): its words are
 * checked here and refused with the usage; the publisher context does the work
 * (svc.publisher.*), and its refusals come back as outcomes the owner reads.
 *
 *   /link @mybot -1001234567890          /unlink -1001234567890          /channels
 *   /post all in 2h                      /post -1001234567890,-1009876 at 2027-01-01 09:00
 *   <the post's text on the next lines>  /posts    /cancelpost 12
 *   /editpost 12 [in 2h | at 2027-01-01 09:00]
 *   <the post's new text on the next lines>
 *   /story @mybot 24h https://example.com/photo.jpg caption…   (or video.mp4)
 */
import type { Bot, Channel, Post, Story } from '@nova/contracts';
import { ChatKind, PostStatus, StoryStatus, wordRefusal, wordTelegramFailure } from '@nova/contracts';
import { formatUtcDate, type Locale } from '@nova/i18n';
import { toMenu, type MainBotStep, type MainBotView } from './decide.js';
import { hasContent, readDraft, type PostDraft, type TelegramEntity } from './post-draft.js';
import { perLocale, say } from './texts.js';

export type PublishingInput =
  | { readonly kind: 'channels' | 'posts' }
  | { readonly kind: 'link' | 'unlink' | 'cancel_post'; readonly args: readonly string[] }
  /** The whole message: a post's text and a story's caption run past the first words. */
  | { readonly kind: 'story'; readonly text: string }
  /** A post's text and its entities (formatting) come from the message as Telegram gave it (post-draft.ts). */
  | { readonly kind: 'post' | 'edit_post'; readonly text: string; readonly entities?: readonly TelegramEntity[] };

export type PublishingIntent =
  | { readonly kind: 'channels' | 'posts' }
  | { readonly kind: 'link'; readonly botId: bigint; readonly username: string; readonly chatId: bigint }
  | { readonly kind: 'unlink'; readonly chatId: bigint }
  | { readonly kind: 'cancel_post'; readonly postId: bigint }
  /** The new content replaces the old (text, photo, buttons); publishAt undefined keeps the post's time. */
  | { readonly kind: 'edit_post'; readonly postId: bigint; readonly publishAt: Date | undefined; readonly content: PostDraft }
  /** chatIds undefined: every linked channel (the carrying out lists them first). */
  | { readonly kind: 'post'; readonly chatIds: readonly bigint[] | undefined; readonly publishAt: Date | undefined; readonly content: PostDraft }
  | { readonly kind: 'story'; readonly botId: bigint; readonly username: string; readonly video: boolean; readonly mediaUrl: string; readonly activePeriodSeconds: number; readonly caption: string };

export type PublishingOutcome =
  | { readonly ok: true; readonly kind: 'channels'; readonly channels: readonly Channel[] }
  | { readonly ok: true; readonly kind: 'linked'; readonly channel: Channel }
  | { readonly ok: true; readonly kind: 'unlinked' }
  | { readonly ok: true; readonly kind: 'posts'; readonly posts: readonly Post[] }
  | { readonly ok: true; readonly kind: 'post'; readonly post: Post }
  | { readonly ok: true; readonly kind: 'story'; readonly story: Story }
  /** The publisher refused: its ServiceError's details carry the reason code and arguments (@nova/contracts' refusals). */
  | { readonly ok: false; readonly failure: 'refused'; readonly details: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly failure: 'no_channels' | 'unavailable' };

/** A Timestamp's minute, UTC, for the locale ("Jan 1, 2027, 09:00"; the messages add "UTC"). */
function when(seconds: bigint | undefined, locale: Locale): string {
  return seconds === undefined ? '?' : formatUtcDate(locale, new Date(Number(seconds) * 1000), true);
}

function sentCount(post: Post): number {
  return post.outcomes.filter((outcome) => outcome.sent).length;
}

/** The publishing commands' words in a locale. */
export const publishingTexts = perLocale((locale: Locale) => {
  const t = say(locale);
  return {
    linkUsage: t('link-usage'),
    unlinkUsage: t('unlink-usage'),
    cancelUsage: t('cancel-usage'),
    editUsage: t('edit-usage'),
    postUsage: t('post-usage'),
    storyUsage: t('story-usage'),
    notYourBot: (name: string) => t('not-your-bot', { name }),
    pastTime: t('past-time'),
    noChannels: t('no-channels'),
    channels: (channels: readonly Channel[]) => [t('channels-title'), ...channels.map((channel) => t('channel-line', { title: channel.title, chat: channel.chatId.toString(), kind: KIND[channel.kind] ?? 'other' }))].join('\n'),
    linked: (channel: Channel) => t('linked', { title: channel.title }),
    unlinked: t('unlinked'),
    noPosts: t('no-posts'),
    posts: (lines: readonly string[]) => [t('posts-title'), ...lines].join('\n'),
    postLine: (post: Post) => {
      const text = post.content?.text ?? '';
      const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
      const at = post.status === PostStatus.PUBLISHED ? post.publishedAt?.seconds : post.publishAt?.seconds;
      return t('post-line', { number: post.postId.toString(), status: STATUS[post.status] ?? 'cancelled', at: when(at, locale), sent: sentCount(post), channels: post.chatIds.length, preview: preview.replaceAll('\n', ' ') });
    },
    scheduled: (post: Post) => t('scheduled', { number: post.postId.toString(), at: when(post.publishAt?.seconds, locale), channels: post.chatIds.length }),
    published: (post: Post) => t('published', { number: post.postId.toString(), sent: sentCount(post), channels: post.chatIds.length }),
    publishing: (post: Post) => t('publishing', { number: post.postId.toString() }),
    cancelled: (post: Post) => t('post-cancelled', { number: post.postId.toString() }),
    edited: (post: Post) => t('edited', { number: post.postId.toString(), at: when(post.publishAt?.seconds, locale), channels: post.chatIds.length }),
    storyPosted: (username: string, story: Story) => t('story-posted', { username, hours: story.activePeriodSeconds / 3600 }),
    /** Telegram's reason in the owner's language where it is one an owner can act on, else Telegram's words. */
    storyFailed: (story: Story) => t('story-failed', { error: wordTelegramFailure(locale, story.error) ?? story.error }),
    /** The refusal in the owner's language; a reason this catalogue does not know (an older publisher) in general words, never the refuser's English. */
    refused: (details: Readonly<Record<string, string>>) => t('refused', { reason: wordRefusal(locale, details) ?? t('refused-unknown') }),
    unavailable: t('publishing-unavailable'),
  } as const;
});

const KIND: Readonly<Record<number, 'channel' | 'group'>> = { [ChatKind.CHANNEL]: 'channel', [ChatKind.GROUP]: 'group', [ChatKind.SUPERGROUP]: 'group' };
const STATUS: Readonly<Record<number, 'scheduled' | 'publishing' | 'published' | 'cancelled'>> = { [PostStatus.SCHEDULED]: 'scheduled', [PostStatus.PUBLISHING]: 'publishing', [PostStatus.PUBLISHED]: 'published', [PostStatus.CANCELLED]: 'cancelled' };
/** postStory's active periods, in hours. */
const STORY_HOURS = [6, 12, 24, 48];
const CHAT_ID = /^-\d{1,19}$/;
const MEDIA_URL = /^https?:\/\/\S+$/i;
const VIDEO_URL = /\.(mp4|mov|webm)(\?\S*)?$/i;
const MAX_PREVIEW = 40;


function ownBot(name: string | undefined, bots: readonly Bot[]): Bot | undefined {
  const wanted = name?.replace(/^@/, '').toLowerCase();
  return bots.find((bot) => bot.username.toLowerCase() === wanted);
}

function chatIdOf(word: string | undefined): bigint | undefined {
  return word !== undefined && CHAT_ID.test(word) ? BigInt(word) : undefined;
}

/** "in 30m" / "in 2h" / "in 1d" / "at 2027-01-01 09:00" (UTC); undefined when the words are not a time. */
export function scheduleOf(words: readonly string[], now: Date): Date | undefined {
  const [word, first, second] = words.map((each) => each.toLowerCase());
  if (word === 'in' && words.length === 2) {
    const match = /^(\d{1,4})(m|h|d)$/.exec(first ?? '');
    if (match?.[1] === undefined || match[2] === undefined) return undefined;
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() + Number(match[1]) * unit);
  }
  if (word === 'at' && words.length === 3 && /^\d{4}-\d{2}-\d{2}$/.test(first ?? '') && /^\d{2}:\d{2}$/.test(second ?? '')) {
    const at = new Date(`${first ?? ''}T${second ?? ''}:00Z`);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  return undefined;
}

/** /post's first line (after the command) and the post on the lines below (post-draft.ts). */
function decidePost(text: string, entities: readonly TelegramEntity[] | undefined, view: MainBotView, now: Date): MainBotStep | PublishingIntent {
  const read = readDraft(text, entities);
  const [target, ...timing] = read?.words ?? [];
  if (read === undefined || target === undefined || !hasContent(read.draft)) return toMenu(view, publishingTexts(view.locale).postUsage);
  let chatIds: bigint[] | undefined;
  if (target.toLowerCase() !== 'all') {
    const ids = target.split(',').map(chatIdOf);
    if (ids.some((id) => id === undefined)) return toMenu(view, publishingTexts(view.locale).postUsage);
    chatIds = ids as bigint[];
  }
  let publishAt: Date | undefined;
  if (timing.length > 0) {
    publishAt = scheduleOf(timing, now);
    if (publishAt === undefined) return toMenu(view, publishingTexts(view.locale).postUsage);
    if (publishAt.getTime() <= now.getTime()) return toMenu(view, publishingTexts(view.locale).pastTime);
  }
  return { kind: 'post', chatIds, publishAt, content: read.draft };
}

/** /editpost's number and optional new time on its first line, the new post below. */
function decideEditPost(text: string, entities: readonly TelegramEntity[] | undefined, view: MainBotView, now: Date): MainBotStep | PublishingIntent {
  const read = readDraft(text, entities);
  const [number, ...timing] = read?.words ?? [];
  const postId = /^#?(\d{1,18})$/.exec(number ?? '')?.[1];
  if (read === undefined || postId === undefined || !hasContent(read.draft)) return toMenu(view, publishingTexts(view.locale).editUsage);
  let publishAt: Date | undefined;
  if (timing.length > 0) {
    publishAt = scheduleOf(timing, now);
    if (publishAt === undefined) return toMenu(view, publishingTexts(view.locale).editUsage);
    if (publishAt.getTime() <= now.getTime()) return toMenu(view, publishingTexts(view.locale).pastTime);
  }
  return { kind: 'edit_post', postId: BigInt(postId), publishAt, content: read.draft };
}

function decideStory(text: string, view: MainBotView): MainBotStep | PublishingIntent {
  const [, botName, period, mediaUrl, ...caption] = text.trim().split(/[ \t]+/);
  const hours = /^(\d{1,2})h$/i.exec(period ?? '')?.[1];
  if (botName === undefined || hours === undefined || !STORY_HOURS.includes(Number(hours)) || mediaUrl === undefined || !MEDIA_URL.test(mediaUrl)) return toMenu(view, publishingTexts(view.locale).storyUsage);
  const bot = ownBot(botName, view.bots);
  if (bot === undefined) return toMenu(view, publishingTexts(view.locale).notYourBot(botName.replace(/^@/, '')));
  return { kind: 'story', botId: bot.botId, username: bot.username, video: VIDEO_URL.test(mediaUrl), mediaUrl, activePeriodSeconds: Number(hours) * 3600, caption: caption.join(' ') };
}

export function decidePublishing(input: PublishingInput, view: MainBotView, now: Date): MainBotStep | PublishingIntent {
  switch (input.kind) {
    case 'channels':
    case 'posts':
      return { kind: input.kind };
    case 'link': {
      const [botName, chat] = input.args;
      const chatId = chatIdOf(chat);
      if (input.args.length !== 2 || botName === undefined || chatId === undefined) return toMenu(view, publishingTexts(view.locale).linkUsage);
      const bot = ownBot(botName, view.bots);
      if (bot === undefined) return toMenu(view, publishingTexts(view.locale).notYourBot(botName.replace(/^@/, '')));
      return { kind: 'link', botId: bot.botId, username: bot.username, chatId };
    }
    case 'unlink': {
      const chatId = chatIdOf(input.args[0]);
      return input.args.length !== 1 || chatId === undefined ? toMenu(view, publishingTexts(view.locale).unlinkUsage) : { kind: 'unlink', chatId };
    }
    case 'cancel_post': {
      const number = /^#?(\d{1,18})$/.exec(input.args[0] ?? '')?.[1];
      return input.args.length !== 1 || number === undefined ? toMenu(view, publishingTexts(view.locale).cancelUsage) : { kind: 'cancel_post', postId: BigInt(number) };
    }
    case 'post':
      return decidePost(input.text, input.entities, view, now);
    case 'edit_post':
      return decideEditPost(input.text, input.entities, view, now);
    case 'story':
      return decideStory(input.text, view);
  }
}

export function concludePublishing(intent: PublishingIntent, outcome: PublishingOutcome, view: MainBotView): MainBotStep {
  if (!outcome.ok) {
    switch (outcome.failure) {
      case 'refused':
        return toMenu(view, publishingTexts(view.locale).refused(outcome.details));
      case 'no_channels':
        return toMenu(view, publishingTexts(view.locale).noChannels);
      case 'unavailable':
        return toMenu(view, publishingTexts(view.locale).unavailable);
    }
  }
  switch (outcome.kind) {
    case 'channels':
      return toMenu(view, outcome.channels.length === 0 ? publishingTexts(view.locale).noChannels : publishingTexts(view.locale).channels(outcome.channels));
    case 'linked':
      return toMenu(view, publishingTexts(view.locale).linked(outcome.channel));
    case 'unlinked':
      return toMenu(view, publishingTexts(view.locale).unlinked);
    case 'posts':
      return toMenu(view, outcome.posts.length === 0 ? publishingTexts(view.locale).noPosts : publishingTexts(view.locale).posts(outcome.posts.slice(0, 10).map(publishingTexts(view.locale).postLine)));
    case 'post': {
      const { post } = outcome;
      if (intent.kind === 'cancel_post') return toMenu(view, publishingTexts(view.locale).cancelled(post));
      if (intent.kind === 'edit_post') return toMenu(view, publishingTexts(view.locale).edited(post));
      if (post.status === PostStatus.SCHEDULED) return toMenu(view, publishingTexts(view.locale).scheduled(post));
      return toMenu(view, post.status === PostStatus.PUBLISHED ? publishingTexts(view.locale).published(post) : publishingTexts(view.locale).publishing(post));
    }
    case 'story':
      return toMenu(view, outcome.story.status === StoryStatus.POSTED ? publishingTexts(view.locale).storyPosted(intent.kind === 'story' ? intent.username : '', outcome.story) : publishingTexts(view.locale).storyFailed(outcome.story));
  }
}
