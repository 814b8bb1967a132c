/**
 * Checks of svc.publisher.post_story, before anything is stored or asked: Telegram's rules for
 * postStory (active_period one of 6, 12, 24 or 48 hours; caption 0-2048 characters) and what the
 * publisher needs to upload the media (an http(s) URL of a photo or a video).
 */
import { StoryMediaKind, type StoryContent } from '@nova/contracts';
import { InvalidArgumentError, text } from '@nova/domain';
import type { OutgoingStory } from './ports.js';
import { refusal } from './refuse.js';

/** postStory's active_period, in seconds: 6 * 3600, 12 * 3600, 86400, 2 * 86400. */
export const STORY_ACTIVE_PERIODS: readonly number[] = [21_600, 43_200, 86_400, 172_800];
/** postStory's caption: 0-2048 characters after entity parsing (UTF-16 units, as Telegram counts). */
export const MAX_STORY_CAPTION = 2048;
const MAX_MEDIA_URL = 2048;
const MEDIA_URL = /^https?:\/\/\S+$/;

export function storyContent(content: StoryContent | undefined, activePeriod: number, caption: string): OutgoingStory {
  if (content === undefined) throw refusal(InvalidArgumentError, 'story-kind', {}, { field: 'content' });
  const kind = content.kind === StoryMediaKind.PHOTO ? 'photo' : content.kind === StoryMediaKind.VIDEO ? 'video' : undefined;
  if (kind === undefined) throw refusal(InvalidArgumentError, 'story-kind', {}, { field: 'content.kind' });
  const mediaUrl = text(content.mediaUrl, 'content.media_url', { max: MAX_MEDIA_URL, required: true, pattern: MEDIA_URL, patternHint: 'an http(s) URL of the photo or video' }) ?? '';
  if (!STORY_ACTIVE_PERIODS.includes(activePeriod)) {
    throw refusal(InvalidArgumentError, 'story-period', {}, { field: 'active_period_seconds' });
  }
  return { kind, mediaUrl, activePeriod, caption: text(caption, 'caption', { max: MAX_STORY_CAPTION }) ?? '' };
}

/** Telegram's business_connection_id: optional in the request, opaque, no whitespace. */
export function connectionIdOf(value: string): string | undefined {
  return text(value, 'business_connection_id', { max: 256, pattern: /^\S+$/, patternHint: 'a business connection id' });
}
