/**
 * Encodes a call's parameters the way the Bot API accepts them: JSON, or multipart/form-data when
 * a file's bytes are uploaded (objects then travel as JSON strings, as Telegram expects).
 */
import { UnsupportedInputFileError } from './errors.js';

/** A file to upload: its bytes, and the name Telegram shows. */
export interface InputFileUpload {
  readonly source: Uint8Array;
  readonly filename?: string;
}

export interface EncodedBody {
  readonly body: string | FormData;
  /** Undefined for FormData: fetch sets the multipart boundary itself. */
  readonly contentType: string | undefined;
}

export function encodeParams(method: string, params: Readonly<Record<string, unknown>>): EncodedBody {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== null);
  if (!entries.some(([field, value]) => isFileField(method, field, value))) {
    return { body: JSON.stringify(Object.fromEntries(entries), dropNulls), contentType: 'application/json' };
  }
  const form = new FormData();
  for (const [field, value] of entries) {
    if (isFileField(method, field, value)) {
      const file = value as InputFileUpload;
      form.append(field, new Blob([new Uint8Array(file.source)]), file.filename ?? field);
    } else {
      form.append(field, typeof value === 'string' ? value : JSON.stringify(value, dropNulls));
    }
  }
  return { body: form, contentType: undefined };
}

/** True for `{ source: bytes }`; throws for the telegraf InputFile forms this client does not upload. */
function isFileField(method: string, field: string, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if ('source' in value) {
    if (value.source instanceof Uint8Array) return true;
    throw new UnsupportedInputFileError(method, field);
  }
  if ('url' in value && typeof value.url === 'string' && Object.keys(value).every((key) => key === 'url' || key === 'filename')) {
    throw new UnsupportedInputFileError(method, field);
  }
  return false;
}

/** Telegram treats a null field as a wrong type; absent is what callers mean. */
function dropNulls(_key: string, value: unknown): unknown {
  return value === null ? undefined : value;
}
