import { describe, expect, it } from '@jest/globals';
import { UnsupportedInputFileError } from './errors.js';
import { encodeParams } from './request-body.js';

describe('encodeParams', () => {
  it('sends JSON without null or undefined fields', () => {
    const encoded = encodeParams('sendMessage', { chat_id: 1, text: 'hi', parse_mode: undefined, reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'b', url: null }]] } });
    expect(encoded.contentType).toBe('application/json');
    expect(JSON.parse(encoded.body as string)).toEqual({ chat_id: 1, text: 'hi', reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] } });
  });

  it('uploads bytes as multipart, objects as JSON strings', async () => {
    const encoded = encodeParams('sendPhoto', { chat_id: 1, photo: { source: Buffer.from('png-bytes'), filename: 'cat.png' }, reply_markup: { inline_keyboard: [] } });
    expect(encoded.contentType).toBeUndefined();
    const form = encoded.body as FormData;
    expect(form.get('chat_id')).toBe('1');
    expect(form.get('reply_markup')).toBe('{"inline_keyboard":[]}');
    const file = form.get('photo') as File;
    expect(file.name).toBe('cat.png');
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('png-bytes');
  });

  it('refuses file forms it does not upload: a path, a stream, a URL to download', () => {
    expect(() => encodeParams('sendPhoto', { chat_id: 1, photo: { source: '/etc/passwd' } })).toThrow(UnsupportedInputFileError);
    expect(() => encodeParams('sendPhoto', { chat_id: 1, photo: { url: 'https://example.org/a.png' } })).toThrow(UnsupportedInputFileError);
  });
});
