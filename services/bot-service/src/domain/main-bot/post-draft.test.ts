import { describe, expect, it } from '@jest/globals';
import { hasContent, readDraft } from './post-draft.js';

describe('readDraft', () => {
  it('keeps the text\'s formatting, moved to where the text starts', () => {
    // "/post all\n  Big sale today" with "Big" bold and "sale" a link, as Telegram gives them (UTF-16 offsets).
    const message = '/post all\n  Big sale today';
    const read = readDraft(message, [
      { type: 'bot_command', offset: 0, length: 5 },
      { type: 'bold', offset: 12, length: 3 },
      { type: 'text_link', offset: 16, length: 4, url: 'https://shop.example' },
    ]);
    expect(read).toEqual({ words: ['all'], draft: { text: 'Big sale today', entities: [{ type: 'bold', offset: 0, length: 3 }, { type: 'text_link', offset: 4, length: 4, url: 'https://shop.example' }], buttons: [] } });
  });

  it('counts offsets in UTF-16 units, as Telegram does (an emoji is two)', () => {
    const message = '/post all\n🎉 Party';
    const party = message.indexOf('Party');
    const read = readDraft(message, [{ type: 'italic', offset: party, length: 5 }]);
    expect(read?.draft.entities).toEqual([{ type: 'italic', offset: 3, length: 5 }]);
    expect(read?.draft.text.slice(3, 8)).toBe('Party');
  });

  it('reads the last lines of [text](link) as button rows, one row per line, and drops formatting that was on them', () => {
    const message = '/post all in 2h\nNews\n\n[Shop](https://shop.example) [Help](tg://resolve?domain=help)\n[More](https://more.example)';
    const more = message.indexOf('More');
    const read = readDraft(message, [{ type: 'bold', offset: more, length: 4 }]);
    expect(read).toEqual({
      words: ['all', 'in', '2h'],
      draft: {
        text: 'News', entities: [],
        buttons: [[{ text: 'Shop', url: 'https://shop.example' }, { text: 'Help', url: 'tg://resolve?domain=help' }], [{ text: 'More', url: 'https://more.example' }]],
      },
    });
    // A button line in the middle of the text is text.
    expect(readDraft('/post all\n[Shop](https://shop.example)\nthen words')?.draft).toEqual({ text: '[Shop](https://shop.example)\nthen words', entities: [], buttons: [] });
  });

  it('takes "photo <link>" from the first line, anywhere after the command, and allows a photo without a caption', () => {
    const read = readDraft('/post -1001 photo https://cdn.example/a.jpg at 2027-01-01 09:00');
    expect(read).toEqual({ words: ['-1001', 'at', '2027-01-01', '09:00'], draft: { text: '', entities: [], photo: 'https://cdn.example/a.jpg', buttons: [] } });
    expect(hasContent(read?.draft ?? { text: '', entities: [], buttons: [] })).toBe(true);
    expect(readDraft('/post all photo')).toBeUndefined();
    expect(readDraft('/post all photo file_id_123\nx')).toBeUndefined();
    expect(hasContent({ text: '', entities: [], buttons: [[{ text: 'a', url: 'https://a.example' }]] })).toBe(false);
  });
});
