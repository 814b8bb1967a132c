import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { StoryContentSchema, StoryMediaKind } from '@nova/contracts';
import { InvalidArgumentError } from '@nova/domain';
import { connectionIdOf, MAX_STORY_CAPTION, STORY_ACTIVE_PERIODS, storyContent } from './story-validation.js';

const photo = create(StoryContentSchema, { kind: StoryMediaKind.PHOTO, mediaUrl: 'https://cdn.example.com/story.jpg' });

function refusal(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('story content', () => {
  it('takes a photo or a video by URL, each of Telegram\'s four active periods, a caption up to 2048', () => {
    expect(STORY_ACTIVE_PERIODS).toEqual([6 * 3600, 12 * 3600, 24 * 3600, 48 * 3600]);
    for (const period of STORY_ACTIVE_PERIODS) {
      expect(storyContent(photo, period, 'New in the shop')).toEqual({ kind: 'photo', mediaUrl: 'https://cdn.example.com/story.jpg', activePeriod: period, caption: 'New in the shop' });
    }
    const video = create(StoryContentSchema, { kind: StoryMediaKind.VIDEO, mediaUrl: 'http://cdn.example.com/a.mp4' });
    expect(storyContent(video, 86_400, '')).toMatchObject({ kind: 'video', caption: '' });
    // Telegram counts UTF-16 units: 1024 emoji are 2048 units, the most a caption may hold.
    expect(storyContent(photo, 86_400, '😀'.repeat(MAX_STORY_CAPTION / 2)).caption).toHaveLength(MAX_STORY_CAPTION);
  });

  it('refuses what Telegram would refuse, naming the field', () => {
    expect(refusal(() => storyContent(undefined, 86_400, '')).details).toMatchObject({ field: 'content' });
    expect(refusal(() => storyContent(create(StoryContentSchema, { mediaUrl: photo.mediaUrl }), 86_400, '')).details).toMatchObject({ field: 'content.kind' });
    for (const mediaUrl of ['', 'ftp://x/y.jpg', 'AgACAgIAAxkBAAIB', 'https://a b']) {
      expect(refusal(() => storyContent(create(StoryContentSchema, { kind: StoryMediaKind.PHOTO, mediaUrl }), 86_400, '')).details).toMatchObject({ field: 'content.media_url' });
    }
    for (const period of [0, 3_600, 21_599, 604_800, -86_400]) {
      expect(refusal(() => storyContent(photo, period, '')).details).toEqual({ field: 'active_period_seconds', reason: 'story-period' });
    }
    expect(refusal(() => storyContent(photo, 86_400, 'x'.repeat(MAX_STORY_CAPTION + 1))).details).toMatchObject({ field: 'caption' });
    expect(refusal(() => storyContent(photo, 86_400, '😀'.repeat(MAX_STORY_CAPTION / 2) + 'x')).details).toMatchObject({ field: 'caption' });
  });

  it('takes an optional business connection id without whitespace', () => {
    expect(connectionIdOf('')).toBeUndefined();
    expect(connectionIdOf('AbC-123_x')).toBe('AbC-123_x');
    expect(refusal(() => connectionIdOf('a b')).details).toMatchObject({ field: 'business_connection_id' });
  });
});
