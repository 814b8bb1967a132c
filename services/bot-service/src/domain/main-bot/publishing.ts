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
import { ChatKind, PostStatus, StoryStatus } from '@nova/contracts';
import type { MainBotStep, MainBotView } from './decide.js';
import { hasContent, readDraft, type PostDraft, type TelegramEntity } from './post-draft.js';
import { IDLE } from './state.js';
import { MENU } from './texts.js';

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
  /** The publisher refused (its words say why: not linked, no right, no subscription, ...). */
  | { readonly ok: false; readonly failure: 'refused'; readonly reason: string }
  | { readonly ok: false; readonly failure: 'no_channels' | 'unavailable' };

export const PUBLISHING_TEXT = {
  linkUsage: 'To link a channel, make your bot an administrator of it allowed to post, then send /link @yourbot <channel id>, e.g. /link @mybot -1001234567890.',
  unlinkUsage: 'Send /unlink <channel id>, e.g. /unlink -1001234567890. /channels lists your channels.',
  cancelUsage: 'Send /cancelpost <post number>, e.g. /cancelpost 12. /posts lists your posts.',
  editUsage:
    'Write the new post under the command; it replaces the old one:\n/editpost 12\nYour new text…\n\n' +
    'Add "in 30m", "in 2h", "in 1d" or "at 2027-01-01 09:00" (UTC) after the number to move it too, and format, buttons and "photo <link>" as in /post. Only a scheduled post can be changed; /posts lists yours.',
  postUsage:
    'Write the post under the command:\n/post all\nYour text…\n\n' +
    'Instead of "all", name channels by id (comma-separated). Add "in 30m", "in 2h", "in 1d" or "at 2027-01-01 09:00" (UTC) to schedule it, ' +
    'and "photo https://…/picture.jpg" for a photo with the text as its caption. Format the text as any message (bold, links); ' +
    'lines like [Shop](https://example.com) under it become buttons, one row per line.',
  storyUsage: 'Send /story @yourbot <6h|12h|24h|48h> <https link to a photo (.jpg/.png) or video (.mp4)> and a caption, e.g. /story @mybot 24h https://example.com/sale.jpg Sale today!',
  notYourBot: (name: string) => `@${name} is not one of your bots. /bots lists them.`,
  pastTime: 'That time has passed. Give a time in the future (UTC), e.g. "in 2h" or "at 2027-01-01 09:00".',
  noChannels: 'You have no linked channels yet. Make your bot an administrator of a channel, then /link @yourbot <channel id>.',
  channels: (channels: readonly Channel[]) => ['Your channels:', ...channels.map((channel) => `• ${channel.title} (${channel.chatId.toString()}), ${KIND_WORD[channel.kind] ?? 'chat'}`)].join('\n'),
  linked: (channel: Channel) => `✅ "${channel.title}" is linked. Post to it with /post.`,
  unlinked: 'The channel is unlinked.',
  noPosts: 'You have no posts yet. /post writes one.',
  posts: (lines: readonly string[]) => ['Your posts (newest first):', ...lines].join('\n'),
  scheduled: (post: Post) => `🕒 Post #${post.postId.toString()} is scheduled for ${when(post.publishAt?.seconds)} in ${plural(post.chatIds.length, 'channel')}. /cancelpost ${post.postId.toString()} cancels it.`,
  published: (post: Post) => `📣 Post #${post.postId.toString()} went out: ${String(post.outcomes.filter((outcome) => outcome.sent).length)} of ${plural(post.chatIds.length, 'channel')}; the report says which.`,
  publishing: (post: Post) => `📣 Post #${post.postId.toString()} is going out; you get the report when every channel has it.`,
  cancelled: (post: Post) => `Post #${post.postId.toString()} is cancelled.`,
  edited: (post: Post) => `✏️ Post #${post.postId.toString()} is changed: it goes out ${when(post.publishAt?.seconds)} in ${plural(post.chatIds.length, 'channel')}.`,
  storyPosted: (username: string, story: Story) => `✅ Your story is posted through @${username} for ${String(story.activePeriodSeconds / 3600)} hours.`,
  storyFailed: (story: Story) => `The story was not posted: ${story.error}`,
  refused: (reason: string) => `Not done: ${reason}.`,
  unavailable: 'Publishing is not available right now. Please try again later.',
} as const;

const KIND_WORD: Readonly<Record<number, string>> = { [ChatKind.CHANNEL]: 'channel', [ChatKind.GROUP]: 'group', [ChatKind.SUPERGROUP]: 'group' };
const STATUS_WORD: Readonly<Record<number, string>> = { [PostStatus.SCHEDULED]: 'scheduled for', [PostStatus.PUBLISHING]: 'going out since', [PostStatus.PUBLISHED]: 'published', [PostStatus.CANCELLED]: 'cancelled, was for' };
/** postStory's active periods, in hours. */
const STORY_HOURS = [6, 12, 24, 48];
const CHAT_ID = /^-\d{1,19}$/;
const MEDIA_URL = /^https?:\/\/\S+$/i;
const VIDEO_URL = /\.(mp4|mov|webm)(\?\S*)?$/i;
const MAX_PREVIEW = 40;

function plural(count: number, word: string): string {
  return `${String(count)} ${word}${count === 1 ? '' : 's'}`;
}

/** A Timestamp's minute, UTC: 2027-01-01 09:00 UTC. */
function when(seconds: bigint | undefined): string {
  return seconds === undefined ? '?' : `${new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function toMenu(view: MainBotView, text: string): MainBotStep {
  return { kind: 'step', next: IDLE, replies: [{ chatId: view.chatId, text, replyMarkup: MENU }] };
}

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
  if (read === undefined || target === undefined || !hasContent(read.draft)) return toMenu(view, PUBLISHING_TEXT.postUsage);
  let chatIds: bigint[] | undefined;
  if (target.toLowerCase() !== 'all') {
    const ids = target.split(',').map(chatIdOf);
    if (ids.some((id) => id === undefined)) return toMenu(view, PUBLISHING_TEXT.postUsage);
    chatIds = ids as bigint[];
  }
  let publishAt: Date | undefined;
  if (timing.length > 0) {
    publishAt = scheduleOf(timing, now);
    if (publishAt === undefined) return toMenu(view, PUBLISHING_TEXT.postUsage);
    if (publishAt.getTime() <= now.getTime()) return toMenu(view, PUBLISHING_TEXT.pastTime);
  }
  return { kind: 'post', chatIds, publishAt, content: read.draft };
}

/** /editpost's number and optional new time on its first line, the new post below. */
function decideEditPost(text: string, entities: readonly TelegramEntity[] | undefined, view: MainBotView, now: Date): MainBotStep | PublishingIntent {
  const read = readDraft(text, entities);
  const [number, ...timing] = read?.words ?? [];
  const postId = /^#?(\d{1,18})$/.exec(number ?? '')?.[1];
  if (read === undefined || postId === undefined || !hasContent(read.draft)) return toMenu(view, PUBLISHING_TEXT.editUsage);
  let publishAt: Date | undefined;
  if (timing.length > 0) {
    publishAt = scheduleOf(timing, now);
    if (publishAt === undefined) return toMenu(view, PUBLISHING_TEXT.editUsage);
    if (publishAt.getTime() <= now.getTime()) return toMenu(view, PUBLISHING_TEXT.pastTime);
  }
  return { kind: 'edit_post', postId: BigInt(postId), publishAt, content: read.draft };
}

function decideStory(text: string, view: MainBotView): MainBotStep | PublishingIntent {
  const [, botName, period, mediaUrl, ...caption] = text.trim().split(/[ \t]+/);
  const hours = /^(\d{1,2})h$/i.exec(period ?? '')?.[1];
  if (botName === undefined || hours === undefined || !STORY_HOURS.includes(Number(hours)) || mediaUrl === undefined || !MEDIA_URL.test(mediaUrl)) return toMenu(view, PUBLISHING_TEXT.storyUsage);
  const bot = ownBot(botName, view.bots);
  if (bot === undefined) return toMenu(view, PUBLISHING_TEXT.notYourBot(botName.replace(/^@/, '')));
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
      if (input.args.length !== 2 || botName === undefined || chatId === undefined) return toMenu(view, PUBLISHING_TEXT.linkUsage);
      const bot = ownBot(botName, view.bots);
      if (bot === undefined) return toMenu(view, PUBLISHING_TEXT.notYourBot(botName.replace(/^@/, '')));
      return { kind: 'link', botId: bot.botId, username: bot.username, chatId };
    }
    case 'unlink': {
      const chatId = chatIdOf(input.args[0]);
      return input.args.length !== 1 || chatId === undefined ? toMenu(view, PUBLISHING_TEXT.unlinkUsage) : { kind: 'unlink', chatId };
    }
    case 'cancel_post': {
      const number = /^#?(\d{1,18})$/.exec(input.args[0] ?? '')?.[1];
      return input.args.length !== 1 || number === undefined ? toMenu(view, PUBLISHING_TEXT.cancelUsage) : { kind: 'cancel_post', postId: BigInt(number) };
    }
    case 'post':
      return decidePost(input.text, input.entities, view, now);
    case 'edit_post':
      return decideEditPost(input.text, input.entities, view, now);
    case 'story':
      return decideStory(input.text, view);
  }
}

function postLine(post: Post): string {
  const text = post.content?.text ?? '';
  const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
  const at = post.status === PostStatus.PUBLISHED ? post.publishedAt?.seconds : post.publishAt?.seconds;
  const reach = post.status === PostStatus.PUBLISHED ? `${String(post.outcomes.filter((outcome) => outcome.sent).length)} of ${plural(post.chatIds.length, 'channel')}` : plural(post.chatIds.length, 'channel');
  return `• #${post.postId.toString()} ${STATUS_WORD[post.status] ?? ''} ${when(at)}, ${reach}: "${preview.replaceAll('\n', ' ')}"`;
}

export function concludePublishing(intent: PublishingIntent, outcome: PublishingOutcome, view: MainBotView): MainBotStep {
  if (!outcome.ok) {
    switch (outcome.failure) {
      case 'refused':
        return toMenu(view, PUBLISHING_TEXT.refused(outcome.reason));
      case 'no_channels':
        return toMenu(view, PUBLISHING_TEXT.noChannels);
      case 'unavailable':
        return toMenu(view, PUBLISHING_TEXT.unavailable);
    }
  }
  switch (outcome.kind) {
    case 'channels':
      return toMenu(view, outcome.channels.length === 0 ? PUBLISHING_TEXT.noChannels : PUBLISHING_TEXT.channels(outcome.channels));
    case 'linked':
      return toMenu(view, PUBLISHING_TEXT.linked(outcome.channel));
    case 'unlinked':
      return toMenu(view, PUBLISHING_TEXT.unlinked);
    case 'posts':
      return toMenu(view, outcome.posts.length === 0 ? PUBLISHING_TEXT.noPosts : PUBLISHING_TEXT.posts(outcome.posts.slice(0, 10).map(postLine)));
    case 'post': {
      const { post } = outcome;
      if (intent.kind === 'cancel_post') return toMenu(view, PUBLISHING_TEXT.cancelled(post));
      if (intent.kind === 'edit_post') return toMenu(view, PUBLISHING_TEXT.edited(post));
      if (post.status === PostStatus.SCHEDULED) return toMenu(view, PUBLISHING_TEXT.scheduled(post));
      return toMenu(view, post.status === PostStatus.PUBLISHED ? PUBLISHING_TEXT.published(post) : PUBLISHING_TEXT.publishing(post));
    }
    case 'story':
      return toMenu(view, outcome.story.status === StoryStatus.POSTED ? PUBLISHING_TEXT.storyPosted(intent.kind === 'story' ? intent.username : '', outcome.story) : PUBLISHING_TEXT.storyFailed(outcome.story));
  }
}
