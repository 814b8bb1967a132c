/**
 * Telegram takes a story's photo or video only as a new upload (InputStoryContent: "can only be
 * uploaded as a new file"), never a file_id or URL, so the publisher downloads the media from the
 * story's URL and uploads the bytes. Bounded by Telegram's own limits (photo 10 MB, video 30 MB)
 * and a timeout. A URL that answers 4xx, or media over the limit, fails the story for good; a 5xx
 * or a network failure is transient (nothing was posted).
 *
 * The URL is the owner's: in production the publisher's egress should be limited to the public
 * internet (a NetworkPolicy), so a story URL cannot reach internal addresses.
 */
import { ChannelNotSentError, ChannelRefusedError } from '../domain/index.js';

/** Telegram's limits: InputStoryContentPhoto 10 MB, InputStoryContentVideo 30 MB. */
export const STORY_MEDIA_LIMITS = { photo: 10 * 1024 * 1024, video: 30 * 1024 * 1024 } as const;
const DOWNLOAD = 'download';

export interface StoryMediaSource {
  fetchMedia(url: string, kind: 'photo' | 'video'): Promise<Uint8Array>;
}

export class HttpStoryMedia implements StoryMediaSource {
  constructor(private readonly timeoutMs = 30_000) {}

  async fetchMedia(url: string, kind: 'photo' | 'video'): Promise<Uint8Array> {
    const limit = STORY_MEDIA_LIMITS[kind];
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    } catch (error) {
      throw new ChannelNotSentError(`the story's ${kind} could not be downloaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (response.status >= 500) throw new ChannelNotSentError(`the story's ${kind} could not be downloaded: HTTP ${String(response.status)}`);
    if (!response.ok) throw new ChannelRefusedError(DOWNLOAD, 0, `the story's ${kind} could not be downloaded: HTTP ${String(response.status)}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > limit) throw tooLarge(kind, limit);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > limit) throw tooLarge(kind, limit);
    if (bytes.length === 0) throw new ChannelRefusedError(DOWNLOAD, 0, `the story's ${kind} is empty`);
    return bytes;
  }
}

function tooLarge(kind: 'photo' | 'video', limit: number): ChannelRefusedError {
  return new ChannelRefusedError(DOWNLOAD, 0, `the story's ${kind} is larger than ${String(limit / 1024 / 1024)} MB, Telegram's limit`);
}
