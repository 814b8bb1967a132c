/** Raw Bot API calls for tests of the emulator (and of clients against it). */
export interface RawAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export async function rawCall(apiRoot: string, token: string, method: string, params: Record<string, unknown> = {}, encoding: 'json' | 'form' | 'multipart' | 'query' = 'json'): Promise<RawAnswer> {
  let url = `${apiRoot}/bot${token}/${method}`;
  const init: RequestInit = { method: 'POST' };
  const asStrings = Object.entries(params).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)] as [string, string]);
  if (encoding === 'json') {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(params);
  } else if (encoding === 'form') {
    init.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    init.body = new URLSearchParams(asStrings).toString();
  } else if (encoding === 'multipart') {
    const form = new FormData();
    for (const [key, value] of asStrings) form.append(key, value);
    init.body = form;
  } else {
    url += `?${new URLSearchParams(asStrings).toString()}`;
    init.method = 'GET';
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HTML fault pages
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body, text };
}
