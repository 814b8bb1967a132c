/**
 * An error answer of the Bot API: `{ ok: false, error_code, description, parameters }` with the
 * HTTP status equal to error_code, worded as Telegram words them.
 */
export interface ResponseParameters {
  readonly retry_after?: number;
  readonly migrate_to_chat_id?: number;
}

export class ApiFailure extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(`${String(errorCode)} ${description}`);
  }

  get envelope(): { ok: false; error_code: number; description: string; parameters?: ResponseParameters } {
    return { ok: false, error_code: this.errorCode, description: this.description, ...(this.parameters === undefined ? {} : { parameters: this.parameters }) };
  }
}

export const badRequest = (what: string): ApiFailure => new ApiFailure(400, `Bad Request: ${what}`);
export const unauthorized = (): ApiFailure => new ApiFailure(401, 'Unauthorized');
export const forbidden = (what: string): ApiFailure => new ApiFailure(403, `Forbidden: ${what}`);
export const notFound = (): ApiFailure => new ApiFailure(404, 'Not Found');
export const conflict = (what: string): ApiFailure => new ApiFailure(409, `Conflict: ${what}`);
export const tooManyRequests = (retryAfterSeconds: number): ApiFailure =>
  new ApiFailure(429, `Too Many Requests: retry after ${String(retryAfterSeconds)}`, { retry_after: retryAfterSeconds });
export const internalServerError = (status = 500): ApiFailure => new ApiFailure(status, status === 500 ? 'Internal Server Error' : 'Server Error');
